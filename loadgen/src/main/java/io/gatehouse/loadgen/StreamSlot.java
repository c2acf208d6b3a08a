package io.gatehouse.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/**
 * One {@code stream} connection: connect, send the ClientHello (when a name is set), read the
 * greeting line, then from the start signal write 64 KiB chunks as fast as the socket takes them
 * ({@code up}, {@code both}) and count every byte read ({@code down}, {@code both}). A broken
 * connection counts one error and is not reopened. Event loop only.
 */
final class StreamSlot extends ClientSlot
{
    private final ChannelFutureListener writeListener = this::onWriteDone;
    private final boolean writes;
    private boolean greetingRead;
    private boolean started;
    private boolean ready;
    private boolean broken;
    private long deadlineNs;

    StreamSlot(final LoopDriver driver)
    {
        super(driver);
        this.writes = driver.settings.direction() == StreamDirection.UP || driver.settings.direction() == StreamDirection.BOTH;
    }

    @Override
    void open()
    {
        deadlineNs = driver.clock.nanoTime() + driver.settings.timeoutNs();
        connect();
    }

    @Override
    boolean isReady()
    {
        return ready;
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

    void onStreamStart()
    {
        started = true;
        pump();
    }

    private void pump()
    {
        if (!started || !ready || !writes || channel == null)
        {
            return;
        }
        while (channel.isWritable())
        {
            channel.write(driver.chunk()).addListener(writeListener);
        }
        channel.flush();
    }

    private void onWriteDone(final ChannelFuture future)
    {
        if (future.channel() != channel)
        {
            return;
        }
        if (future.isSuccess())
        {
            if (started && ready)
            {
                driver.bytesSent.add(LoopDriver.STREAM_CHUNK_BYTES);
            }
        }
        else
        {
            onFailure(ErrorKind.of(future.cause()), String.valueOf(future.cause().getMessage()));
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() == channel && ctx.channel().isWritable())
        {
            pump();
        }
    }

    @Override
    protected void onData(final ByteBuf data)
    {
        if (!greetingRead)
        {
            if (!idLineMatched(data))
            {
                return;
            }
            greetingRead = true;
            ready = true;
            driver.connectionsReady.increment();
            pump();
        }
        driver.bytesReceived.add(data.readableBytes());
    }

    @Override
    protected void onFailure(final ErrorKind kind, final String detail)
    {
        if (broken || driver.stopping())
        {
            dropChannel();
            return;
        }
        broken = true;
        ready = false;
        dropChannel();
        driver.errors.increment(kind, detail);
    }

    @Override
    public void begin(final long intendedNs, final long nowNs)
    {
        throw new IllegalStateException("a stream slot takes no transactions");
    }

    @Override
    public void checkDeadline(final long nowNs)
    {
        if (!greetingRead && !broken && deadlineNs - nowNs < 0)
        {
            onFailure(ErrorKind.TIMEOUT, "no greeting within " + driver.settings.timeoutNs() / 1_000_000 + " ms");
        }
    }
}
