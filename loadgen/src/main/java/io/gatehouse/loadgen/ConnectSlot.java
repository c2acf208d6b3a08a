package io.gatehouse.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * One allowance of an in-flight transaction for the {@code connect} and {@code tls} modes: each
 * transaction opens its own connection.
 * <ul>
 * <li>{@code connect}: connect, send the ClientHello, wait for the backend's first bytes (its whole
 * id line when {@code --expect-id} is set), close.</li>
 * <li>{@code tls}: connect, TLS handshake with SNI, send the request, read the greeting line and the
 * echoed request, close.</li>
 * </ul>
 * In {@code connect} mode the end follows {@link CloseMode}: the client closes at once ({@code client}),
 * waits for the backend's close ({@code backend}), sends a few bytes and resets ({@code rst}), or
 * half-closes after the ClientHello and waits for the backend's close ({@code half}). Event loop only.
 */
final class ConnectSlot extends ClientSlot
{
    private static final int PHASE_IDLE = 0;
    private static final int PHASE_CONNECTING = 1;
    private static final int PHASE_ID_LINE = 2;
    private static final int PHASE_RESPONSE = 3;
    private static final int PHASE_AWAIT_CLOSE = 4;
    private static final ByteBuf BYE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'b', 'y', 'e', '\r', '\n'}));

    private final boolean tls;
    private final CloseMode close;
    private int phase = PHASE_IDLE;
    private long intendedNs;
    private long sentNs;
    private long deadlineNs;
    private int responseLeft;
    private final ChannelFutureListener writeListener = this::onWriteDone;

    ConnectSlot(final LoopDriver driver)
    {
        super(driver);
        this.tls = driver.settings.mode() == LoadMode.TLS;
        this.close = driver.settings.close();
    }

    @Override
    void open()
    {
    }

    @Override
    boolean isReady()
    {
        return phase == PHASE_IDLE;
    }

    @Override
    public void begin(final long intendedNs, final long nowNs)
    {
        this.intendedNs = intendedNs;
        this.sentNs = nowNs;
        this.deadlineNs = nowNs + driver.settings.timeoutNs();
        this.phase = PHASE_CONNECTING;
        idLine.reset();
        connect();
    }

    /** Runs inside {@link #connect()}, before {@code channel} is assigned: the new channel is always the current one. */
    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        if (tls)
        {
            ctx.pipeline().addBefore(ctx.name(), null, driver.newSslHandler(ctx.alloc()));
        }
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() != channel)
        {
            return;
        }
        phase = PHASE_ID_LINE;
        if (!tls)
        {
            ctx.writeAndFlush(driver.hello()).addListener(writeListener);
            if (close == CloseMode.HALF)
            {
                ((DuplexChannel)ctx.channel()).shutdownOutput().addListener(writeListener);
            }
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof SslHandshakeCompletionEvent && ctx.channel() == channel)
        {
            final SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent)evt;
            if (done.isSuccess())
            {
                responseLeft = driver.settings.requestBytes();
                ctx.writeAndFlush(driver.request()).addListener(writeListener);
            }
            else
            {
                onFailure(ErrorKind.TLS, String.valueOf(done.cause().getMessage()));
            }
        }
        ReferenceCountUtil.release(evt);
    }

    private void onWriteDone(final ChannelFuture future)
    {
        if (!future.isSuccess() && phase != PHASE_IDLE && future.channel() == channel)
        {
            onFailure(ErrorKind.of(future.cause()), String.valueOf(future.cause().getMessage()));
        }
    }

    @Override
    protected void onData(final ByteBuf data)
    {
        if (phase == PHASE_AWAIT_CLOSE)
        {
            data.skipBytes(data.readableBytes());
            return;
        }
        if (phase == PHASE_ID_LINE)
        {
            if (!tls && driver.settings.expectId() == null)
            {
                answered();
                return;
            }
            if (!idLineMatched(data))
            {
                return;
            }
            if (!tls)
            {
                answered();
                return;
            }
            phase = PHASE_RESPONSE;
        }
        if (phase == PHASE_RESPONSE)
        {
            responseLeft -= data.readableBytes();
            data.skipBytes(data.readableBytes());
            if (responseLeft <= 0)
            {
                complete();
            }
        }
    }

    /** The connect transaction's answer is in: end it as {@link CloseMode} says. */
    private void answered()
    {
        switch (close)
        {
            case BACKEND:
            case HALF:
                phase = PHASE_AWAIT_CLOSE;
                break;
            case RST:
                final Channel ch = channel;
                ch.writeAndFlush(BYE.duplicate());
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                complete();
                break;
            default:
                complete();
                break;
        }
    }

    @Override
    protected void onPeerClosed()
    {
        if (phase == PHASE_AWAIT_CLOSE)
        {
            complete();
        }
        else
        {
            super.onPeerClosed();
        }
    }

    private void complete()
    {
        final long nowNs = driver.clock.nanoTime();
        phase = PHASE_IDLE;
        dropChannel();
        driver.dispatcher().onComplete(this, intendedNs, sentNs, nowNs, true);
        driver.kick();
    }

    @Override
    protected void onFailure(final ErrorKind kind, final String detail)
    {
        if (phase == PHASE_IDLE)
        {
            dropChannel();
            return;
        }
        phase = PHASE_IDLE;
        dropChannel();
        driver.dispatcher().onFailed(this, kind, detail, !driver.stopping());
        driver.kick();
    }

    @Override
    public void checkDeadline(final long nowNs)
    {
        if (phase != PHASE_IDLE && deadlineNs - nowNs < 0)
        {
            onFailure(ErrorKind.TIMEOUT, (phase == PHASE_AWAIT_CLOSE ? "no close from the backend within " : "no answer within ")
                + driver.settings.timeoutNs() / 1_000_000 + " ms");
        }
    }

    @Override
    public void close()
    {
        if (phase != PHASE_IDLE)
        {
            onFailure(ErrorKind.TIMEOUT, "still in flight when the run ended");
        }
        dropChannel();
    }
}
