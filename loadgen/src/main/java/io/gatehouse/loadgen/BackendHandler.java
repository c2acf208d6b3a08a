package io.gatehouse.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * One backend connection, in the mode of its {@link Backend}. Runs on the connection's event loop
 * only; allocates nothing per read beyond Netty's own buffers (responses are shared duplicates).
 * With TLS the greeting waits for the handshake to finish. With {@link BackendClose#FIRST} or
 * {@link BackendClose#RESET} the connection is closed (FIN; close_notify first with TLS) or reset once
 * the first answer is written.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter
{
    private final Backend backend;
    private final boolean tls;
    private boolean readSinceFlush;
    private boolean sourcing;
    private boolean closing;

    /** After the first answer of a {@link BackendClose#RESET} backend: an RST instead of a FIN. */
    private static final ChannelFutureListener RESET = future ->
    {
        future.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        future.channel().close();
    };

    BackendHandler(final Backend backend, final boolean tls)
    {
        this.backend = backend;
        this.tls = tls;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        if (!tls)
        {
            onEstablished(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof SslHandshakeCompletionEvent)
        {
            final SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent)evt;
            if (done.isSuccess())
            {
                onEstablished(ctx);
            }
            else
            {
                backend.connectionErrors.increment();
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    private void onEstablished(final ChannelHandlerContext ctx)
    {
        if (backend.spec().close() != BackendClose.NONE && backend.mode() != BackendMode.RESPOND)
        {
            endAfter(ctx, backend.greeting());
            return;
        }
        switch (backend.mode())
        {
            case ECHO:
            case SINK:
                ctx.writeAndFlush(backend.greeting(), promise(ctx));
                break;
            case SOURCE:
                ctx.write(backend.greeting(), promise(ctx));
                sourcing = true;
                onSourceWritable(ctx);
                break;
            default:
                break;
        }
    }

    private void onSourceWritable(final ChannelHandlerContext ctx)
    {
        while (sourcing && ctx.channel().isActive() && ctx.channel().isWritable())
        {
            ctx.write(backend.sourceChunk(), promise(ctx));
        }
        ctx.flush();
    }

    /** The void promise on plain TCP; with TLS a real one (SslHandler queues writes per promise). */
    private ChannelPromise promise(final ChannelHandlerContext ctx)
    {
        return tls ? ctx.newPromise().addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE) : ctx.voidPromise();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        final ByteBuf data = (ByteBuf)msg;
        backend.bytesReceived.add(data.readableBytes());
        if (closing)
        {
            data.release();
            return;
        }
        readSinceFlush = true;
        if (backend.mode() == BackendMode.ECHO)
        {
            ctx.write(data, promise(ctx));
        }
        else
        {
            data.release();
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (!readSinceFlush)
        {
            return;
        }
        readSinceFlush = false;
        switch (backend.mode())
        {
            case ECHO:
                ctx.flush();
                if (!ctx.channel().isWritable())
                {
                    ctx.channel().config().setAutoRead(false);
                }
                break;
            case RESPOND:
                if (backend.spec().close() != BackendClose.NONE)
                {
                    endAfter(ctx, backend.response());
                }
                else
                {
                    ctx.writeAndFlush(backend.response(), promise(ctx));
                }
                break;
            default:
                break;
        }
    }

    /** Writes the first answer, then closes or resets as the backend's {@link BackendClose} says; later reads are dropped. */
    private void endAfter(final ChannelHandlerContext ctx, final Object answer)
    {
        closing = true;
        ctx.writeAndFlush(answer).addListener(backend.spec().close() == BackendClose.RESET ? RESET : ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable())
        {
            if (backend.mode() == BackendMode.SOURCE)
            {
                onSourceWritable(ctx);
            }
            else
            {
                ctx.channel().config().setAutoRead(true);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        sourcing = false;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        backend.connectionErrors.increment();
        sourcing = false;
        ctx.close();
    }
}
