package io.gatehouse.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * One persistent {@code rr} connection to an echo backend. Setup: connect, send the ClientHello
 * (when a name is set, so a router can route it), read the greeting line (checked against
 * {@code --expect-id}) and the echo of the ClientHello. Then each transaction writes the request and
 * waits for its echo. A broken connection counts one error and reconnects after 100 ms.
 * Event loop only.
 */
final class PersistentSlot extends ClientSlot
{
    private static final int PHASE_CLOSED = 0;
    private static final int PHASE_SETUP = 1;
    private static final int PHASE_READY = 2;
    private static final int PHASE_BUSY = 3;

    private final ChannelFutureListener writeListener = this::onWriteDone;
    private final Runnable reconnectTask = this::onReconnect;
    private int phase = PHASE_CLOSED;
    private boolean greetingRead;
    private int helloEchoLeft;
    private long intendedNs;
    private long sentNs;
    private long deadlineNs;
    private int responseLeft;
    private boolean everReady;

    PersistentSlot(final LoopDriver driver)
    {
        super(driver);
    }

    @Override
    void open()
    {
        phase = PHASE_SETUP;
        greetingRead = false;
        helloEchoLeft = driver.helloBytes;
        deadlineNs = driver.clock.nanoTime() + driver.settings.timeoutNs();
        idLine.reset();
        connect();
    }

    private void onReconnect()
    {
        if (!driver.stopping() && phase == PHASE_CLOSED)
        {
            open();
        }
    }

    @Override
    boolean isReady()
    {
        return phase == PHASE_READY;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() == channel)
        {
            final ByteBuf hello = driver.hello();
            if (hello != null)
            {
                ctx.writeAndFlush(hello).addListener(writeListener);
            }
        }
    }

    @Override
    public void begin(final long intendedNs, final long nowNs)
    {
        this.intendedNs = intendedNs;
        this.sentNs = nowNs;
        this.deadlineNs = nowNs + driver.settings.timeoutNs();
        this.responseLeft = driver.settings.requestBytes();
        phase = PHASE_BUSY;
        channel.writeAndFlush(driver.request()).addListener(writeListener);
    }

    private void onWriteDone(final ChannelFuture future)
    {
        if (!future.isSuccess() && future.channel() == channel)
        {
            onFailure(ErrorKind.of(future.cause()), String.valueOf(future.cause().getMessage()));
        }
    }

    @Override
    protected void onData(final ByteBuf data)
    {
        if (phase == PHASE_SETUP)
        {
            if (!greetingRead)
            {
                if (!idLineMatched(data))
                {
                    return;
                }
                greetingRead = true;
            }
            final int skip = Math.min(helloEchoLeft, data.readableBytes());
            data.skipBytes(skip);
            helloEchoLeft -= skip;
            if (helloEchoLeft > 0)
            {
                return;
            }
            phase = PHASE_READY;
            if (!everReady)
            {
                everReady = true;
                driver.connectionsReady.increment();
            }
            if (driver.dispatcher() != null)
            {
                driver.dispatcher().onSlotFree(this);
                driver.kick();
            }
            if (!data.isReadable())
            {
                return;
            }
        }
        if (phase == PHASE_BUSY)
        {
            responseLeft -= data.readableBytes();
            if (responseLeft <= 0)
            {
                phase = PHASE_READY;
                driver.dispatcher().onComplete(this, intendedNs, sentNs, driver.clock.nanoTime(), true);
                driver.kick();
            }
        }
        else if (phase == PHASE_READY)
        {
            onFailure(ErrorKind.OTHER, "unexpected " + data.readableBytes() + " bytes between transactions");
        }
    }

    @Override
    protected void onFailure(final ErrorKind kind, final String detail)
    {
        final int was = phase;
        if (was == PHASE_CLOSED)
        {
            return;
        }
        phase = PHASE_CLOSED;
        dropChannel();
        if (was == PHASE_BUSY)
        {
            driver.dispatcher().onFailed(this, kind, detail, false);
        }
        else
        {
            if (was == PHASE_READY && driver.dispatcher() != null)
            {
                driver.dispatcher().onSlotGone(this);
            }
            driver.errors.increment(kind, detail);
        }
        if (!driver.stopping())
        {
            driver.loop.schedule(reconnectTask, LoopDriver.RECONNECT_DELAY_NS, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void checkDeadline(final long nowNs)
    {
        if ((phase == PHASE_BUSY || phase == PHASE_SETUP) && deadlineNs - nowNs < 0)
        {
            onFailure(ErrorKind.TIMEOUT, "no answer within " + driver.settings.timeoutNs() / 1_000_000 + " ms");
        }
    }

    @Override
    public void close()
    {
        if (phase == PHASE_BUSY)
        {
            onFailure(ErrorKind.TIMEOUT, "still in flight when the run ended");
        }
        phase = PHASE_CLOSED;
        dropChannel();
    }
}
