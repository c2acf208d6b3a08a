package io.gatehouse.router.listen;

import io.gatehouse.router.loop.Worker;

import io.gatehouse.router.metrics.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The first handler of a listening socket's pipeline: when accept(2) fails (EMFILE, ENFILE, ENOBUFS:
 * the process or the host is out of descriptors or memory), it counts the failure, stops accepting for
 * a back-off period and resumes, so the loop never spins on a socket whose queue it cannot drain
 * (sniproxy #89). The back-off starts at {@link #FIRST_PAUSE_MS} and doubles per consecutive failure
 * up to {@link #MAX_PAUSE_MS}; an accepted connection resets it. One log line per episode, not per
 * failure. Exceptions stop here: Netty's own acceptor would pause a fixed second and then log at the
 * pipeline's tail on every failure. One instance per listening socket: the back-off state is its own.
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
    static final long FIRST_PAUSE_MS = 50;
    static final long MAX_PAUSE_MS = 1_000;

    private static final Logger LOG = Logger.getLogger(AcceptBackoff.class.getName());

    private final Worker worker;
    private final String listenerName;
    private final Listener.Acceptor acceptor;
    private long pauseMs;
    private boolean paused;
    private long failuresThisEpisode;
    /** Accepted in the current I/O batch, registered after it (see {@link Transport#registersAfterIoBatch()}). */
    private final ArrayDeque<Object> accepted = new ArrayDeque<>();
    private final Runnable registerAccepted = this::onRegisterAccepted;
    private ChannelHandlerContext ctx;

    AcceptBackoff(final Worker worker, final String listenerName, final Listener.Acceptor acceptor)
    {
        this.worker = worker;
        this.listenerName = listenerName;
        this.acceptor = acceptor;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (failuresThisEpisode > 0)
        {
            LOG.info(() -> "listener " + listenerName + ": accepting again after " + failuresThisEpisode + " accept failures");
            failuresThisEpisode = 0;
        }
        pauseMs = 0;
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
        worker.counters().increment(Counter.ACCEPT_FAILED);
        failuresThisEpisode++;
        if (paused)
        {
            return;
        }
        pauseMs = pauseMs == 0 ? FIRST_PAUSE_MS : Math.min(MAX_PAUSE_MS, pauseMs * 2);
        if (failuresThisEpisode == 1)
        {
            LOG.log(Level.WARNING, "listener " + listenerName + ": accept failed (" + cause.getMessage()
                + "); pausing accepts, counted in " + Counter.ACCEPT_FAILED.metricName());
        }
        paused = true;
        ctx.channel().config().setAutoRead(false);
        ctx.channel().eventLoop().schedule(() -> resume(ctx), pauseMs, TimeUnit.MILLISECONDS);
    }

    private void resume(final ChannelHandlerContext ctx)
    {
        paused = false;
        if (ctx.channel().isOpen())
        {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
