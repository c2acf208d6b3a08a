package io.gatehouse.router.listen;

import io.gatehouse.router.loop.Worker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of a listening socket's pipeline: when accept(2) fails it pauses the socket's accepts
 * by the listener's {@link AcceptPause} rule (auto-read off for the pause), so the loop never spins on a
 * socket whose queue it cannot drain (sniproxy #89). Exceptions stop here: Netty's own acceptor would pause
 * a fixed second and then log at the pipeline's tail on every failure. One instance per listening socket:
 * the back-off state is its own.
 *
 * <p>Each accepted connection goes to the listener's {@link Listener.Acceptor}, which sets it up and registers it
 * (nothing is passed down the pipeline to Netty's {@code ServerBootstrapAcceptor}). On a transport that
 * {@link Transport#registersAfterIoBatch() registers after the I/O batch} (epoll), connections accepted
 * during a batch are handed on (and so registered) from one task run after it.
 *
 * <p>Runs on the listening socket's event loop only; allocates nothing per accepted connection.
 */
final class AcceptBackoff extends ChannelInboundHandlerAdapter
{
    private final Worker worker;
    private final Listener.Acceptor acceptor;
    private final AcceptPause pause;
    /** Accepted in the current I/O batch, registered after it (see {@link Transport#registersAfterIoBatch()}). */
    private final ArrayDeque<Object> accepted = new ArrayDeque<>();
    private final Runnable registerAccepted = this::onRegisterAccepted;
    private ChannelHandlerContext ctx;

    AcceptBackoff(final Worker worker, final String listenerName, final Listener.Acceptor acceptor)
    {
        this.worker = worker;
        this.acceptor = acceptor;
        this.pause = new AcceptPause(worker, listenerName);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        pause.onAccepted();
        if (!worker.transport().registersAfterIoBatch())
        {
            acceptor.accept((Channel)msg);
            return;
        }
        if (accepted.isEmpty())
        {
            this.ctx = ctx;
            ctx.channel().eventLoop().execute(registerAccepted);
        }
        accepted.add(msg);
    }

    /** After the loop's I/O batch: hands the connections accepted in it on to be registered. */
    private void onRegisterAccepted()
    {
        final boolean open = ctx.channel().isOpen();
        for (Object child = accepted.poll(); child != null; child = accepted.poll())
        {
            if (open)
            {
                acceptor.accept((Channel)child);
            }
            else
            {
                ((Channel)child).unsafe().closeForcibly();
            }
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!(cause instanceof IOException))
        {
            ctx.fireExceptionCaught(cause);
            return;
        }
        final long pauseMs = pause.onFailed((IOException)cause);
        if (pauseMs == 0)
        {
            return;
        }
        ctx.channel().config().setAutoRead(false);
        ctx.channel().eventLoop().schedule(() -> resume(ctx), pauseMs, TimeUnit.MILLISECONDS);
    }

    private void resume(final ChannelHandlerContext ctx)
    {
        pause.onResumed();
        if (ctx.channel().isOpen())
        {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
