package io.gatehouse.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load of one event loop: its slots (connections or in-flight allowances), its open-loop
 * {@link OpenLoopDispatcher}, the timer that wakes it at the next intended time, and a sweep that
 * times transactions out. Everything here runs on {@link #loop} except the {@code volatile} and
 * {@code LongAdder} fields the main thread reads.
 */
final class LoopDriver
{
    static final int STREAM_CHUNK_BYTES = 64 * 1024;
    private static final long SWEEP_INTERVAL_NS = 20_000_000L;
    static final long RECONNECT_DELAY_NS = 100_000_000L;

    final EventLoop loop;
    final LoadSettings settings;
    final NanoClock clock;
    final InetSocketAddress remote;
    final Bootstrap bootstrap;
    final SslContext clientTls;
    final LatencyRecorder recorder;
    final ErrorCounts errors;
    final LongAdder bytesSent;
    final LongAdder bytesReceived;
    final int helloBytes;
    private final ByteBuf hello;
    private final ByteBuf request;
    private final ByteBuf chunk;
    private final List<ClientSlot> slots = new ArrayList<>();
    private final int slotCount;
    private final double ratePerSecond;
    private OpenLoopDispatcher dispatcher;
    private ScheduledFuture<?> tickFuture;
    private long tickAtNs;
    private boolean inTick;
    private boolean stopping;
    private final Runnable tickTask = this::onTimer;
    private final Runnable sweepTask = this::onSweep;
    private ScheduledFuture<?> sweepFuture;

    /** Connections that finished their setup (greeting read); {@code rr} and {@code stream} only. */
    final LongAdder connectionsReady = new LongAdder();
    volatile boolean finished;
    volatile long notStarted;
    volatile long inFlightAtStop;

    LoopDriver(final EventLoop loop, final LoadSettings settings, final NanoClock clock, final InetSocketAddress remote,
        final SslContext clientTls, final byte[] helloBytes, final int slotCount, final double ratePerSecond,
        final LatencyRecorder recorder, final ErrorCounts errors, final LongAdder bytesSent, final LongAdder bytesReceived)
    {
        this.loop = loop;
        this.settings = settings;
        this.clock = clock;
        this.remote = remote;
        this.clientTls = clientTls;
        this.slotCount = slotCount;
        this.ratePerSecond = ratePerSecond;
        this.recorder = recorder;
        this.errors = errors;
        this.bytesSent = bytesSent;
        this.bytesReceived = bytesReceived;
        this.helloBytes = helloBytes == null ? 0 : helloBytes.length;
        this.hello = helloBytes == null ? null : Unpooled.directBuffer(helloBytes.length).writeBytes(helloBytes);
        final byte[] requestBytes = new byte[settings.requestBytes()];
        Arrays.fill(requestBytes, (byte)'q');
        this.request = Unpooled.directBuffer(requestBytes.length).writeBytes(requestBytes);
        if (settings.mode() == LoadMode.STREAM)
        {
            final byte[] chunkBytes = new byte[STREAM_CHUNK_BYTES];
            Arrays.fill(chunkBytes, (byte)'u');
            this.chunk = Unpooled.directBuffer(chunkBytes.length).writeBytes(chunkBytes);
        }
        else
        {
            this.chunk = null;
        }
        this.bootstrap = new Bootstrap()
            .group(loop)
            .channel(settings.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.max(1, Math.min(Integer.MAX_VALUE, settings.timeoutNs() / 1_000_000)))
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 512 * 1024));
    }

    /** Creates the slots; persistent ones start connecting. Called on the loop. */
    void onOpen()
    {
        for (int i = 0; i < slotCount; i++)
        {
            final ClientSlot slot;
            switch (settings.mode())
            {
                case CONNECT:
                case TLS:
                    slot = new ConnectSlot(this);
                    break;
                case RR:
                    slot = new PersistentSlot(this);
                    break;
                default:
                    slot = new StreamSlot(this);
                    break;
            }
            slots.add(slot);
            slot.open();
        }
    }

    /** Starts the open loop (or the streams) at {@code startNs}; nothing intended at or after {@code stopNs} starts. */
    void onStart(final long startNs, final long stopNs)
    {
        if (settings.mode() == LoadMode.STREAM)
        {
            for (final ClientSlot slot : slots)
            {
                ((StreamSlot)slot).onStreamStart();
            }
        }
        else
        {
            dispatcher = new OpenLoopDispatcher(new OpenLoopSchedule(startNs, ratePerSecond), stopNs, recorder, errors, slotCount);
            for (final ClientSlot slot : slots)
            {
                if (slot.isReady())
                {
                    dispatcher.onSlotFree(slot);
                }
            }
            scheduleTick(startNs, clock.nanoTime());
        }
        sweepFuture = loop.scheduleAtFixedRate(sweepTask, SWEEP_INTERVAL_NS, SWEEP_INTERVAL_NS, TimeUnit.NANOSECONDS);
    }

    OpenLoopDispatcher dispatcher()
    {
        return dispatcher;
    }

    /** A slot became free or a transaction ended: start what is due. */
    void kick()
    {
        if (!inTick && dispatcher != null)
        {
            onTick();
        }
    }

    private void onTimer()
    {
        tickFuture = null;
        onTick();
    }

    private void onTick()
    {
        if (stopping)
        {
            return;
        }
        inTick = true;
        try
        {
            final long nowNs = clock.nanoTime();
            scheduleTick(dispatcher.onTick(nowNs), nowNs);
        }
        finally
        {
            inTick = false;
        }
    }

    private void scheduleTick(final long atNs, final long nowNs)
    {
        if (atNs == OpenLoopDispatcher.NO_WAKEUP)
        {
            return;
        }
        if (tickFuture != null)
        {
            if (tickAtNs - atNs <= 0)
            {
                return;
            }
            tickFuture.cancel(false);
        }
        tickAtNs = atNs;
        tickFuture = loop.schedule(tickTask, Math.max(0, atNs - nowNs), TimeUnit.NANOSECONDS);
    }

    private void onSweep()
    {
        final long nowNs = clock.nanoTime();
        for (int i = 0; i < slots.size(); i++)
        {
            slots.get(i).checkDeadline(nowNs);
        }
        if (dispatcher != null && !finished && dispatcher.issuingDone(nowNs) && dispatcher.inFlight() == 0)
        {
            notStarted = dispatcher.backlog(nowNs);
            finished = true;
        }
    }

    /** Stops issuing, closes every connection and frees the buffers. Called on the loop. */
    void onStop()
    {
        if (stopping)
        {
            return;
        }
        stopping = true;
        if (dispatcher != null)
        {
            final long nowNs = clock.nanoTime();
            if (!finished)
            {
                notStarted = dispatcher.backlog(nowNs);
                inFlightAtStop = dispatcher.inFlight();
            }
        }
        if (tickFuture != null)
        {
            tickFuture.cancel(false);
        }
        if (sweepFuture != null)
        {
            sweepFuture.cancel(false);
        }
        for (final ClientSlot slot : slots)
        {
            slot.close();
        }
        finished = true;
        if (hello != null)
        {
            hello.release();
        }
        request.release();
        if (chunk != null)
        {
            chunk.release();
        }
    }

    boolean stopping()
    {
        return stopping;
    }

    ByteBuf hello()
    {
        return hello == null ? null : hello.retainedDuplicate();
    }

    ByteBuf request()
    {
        return request.retainedDuplicate();
    }

    ByteBuf chunk()
    {
        return chunk.retainedDuplicate();
    }

    SslHandler newSslHandler(final ByteBufAllocator alloc)
    {
        final String peer = settings.sni() != null ? settings.sni() : settings.host();
        return clientTls.newHandler(alloc, peer, settings.port());
    }
}
