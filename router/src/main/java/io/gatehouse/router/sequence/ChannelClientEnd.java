package io.gatehouse.router.sequence;

import io.gatehouse.router.relay.RawBackendSocket;
import io.gatehouse.router.relay.RelayStarter;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.session.ClientEnd;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.session.SocketEnd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * A client that is a Netty channel (io_uring, NIO; on epoll a listener with a server-first route): the
 * {@link Sequencer}'s {@link ClientEnd} as the one handler of the channel's pipeline, auto-read off, one
 * {@code read()} at a time. It leaves the pipeline when the relay starts.
 *
 * <p>Thread: the channel's event loop. Not thread-safe.
 */
public final class ChannelClientEnd extends ChannelInboundHandlerAdapter implements ClientEnd
{
    private final Sequencer sequencer;
    private ChannelHandlerContext ctx;

    /** @param source the TCP peer's address bytes. */
    public ChannelClientEnd(final Session session, final byte[] source)
    {
        this.sequencer = new Sequencer(session, source, this);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        sequencer.onStart();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        sequencer.onRemoved();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf)
        {
            sequencer.onRead((ByteBuf)msg);
        }
        else
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        sequencer.onReadComplete();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            sequencer.onInputShutdown();
        }
        ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        sequencer.onClosed();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        sequencer.onError();
    }

    @Override
    public ByteBufAllocator alloc()
    {
        return ctx.alloc();
    }

    @Override
    public void readMore()
    {
        ctx.read();
    }

    @Override
    public boolean isOpen()
    {
        return ctx.channel().isActive();
    }

    @Override
    public void close()
    {
        ctx.close();
    }

    @Override
    public void replyAndClose(final ByteBuf reply)
    {
        ctx.channel().writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void startRelay(
        final Session session,
        final ListenerState state,
        final Channel backend,
        final SocketEnd rawBackend,
        final ByteBuf proxyHeader,
        final ByteBuf peeked,
        final boolean screened,
        final boolean clientInputDone)
    {
        final Channel channel = ctx.channel();
        ctx.pipeline().remove(this);
        if (!screened && !clientInputDone)
        {
            // Routed before the client's first bytes were screened (the server-first delay): the relay
            // starts so the backend can greet, and the screen goes on in front of it, holding what the
            // client sent so far (nothing, or a proper prefix of a signature). Such a connect never asks for
            // a raw socket (Sequencer.connect): the copy relay needs the backend's channel.
            channel.pipeline().addLast(new LateScreen(
                session, session.worker().counters(), session.worker().peekView(), peeked, state.peekMaxBytes()));
            RelayStarter.start(session, state, channel, backend, null, proxyHeader, null, false, true);
            return;
        }
        RelayStarter.start(session, state, channel, backend, (RawBackendSocket)rawBackend, proxyHeader, peeked, clientInputDone, false);
    }
}
