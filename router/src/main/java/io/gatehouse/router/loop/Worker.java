package io.gatehouse.router.loop;

import io.gatehouse.router.log.AccessLog;
import io.gatehouse.router.metrics.WorkerCounters;
import io.gatehouse.router.proxy.ProxyHeaderEncoder;
import io.gatehouse.router.proxy.ProxyHeaderParser;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.util.concurrent.Future;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What one event loop owns: its counters, its clock-driven timer tick (peek deadlines, server-first
 * delays, relay idle timeouts), the lists of connections it is peeking and relaying, reusable views for
 * the parsers, its PROXY header parser and encoder, and a backend {@link Bootstrap} bound to this loop.
 *
 * <p>Everything here is touched only by the event loop's own thread, except {@link #counters()} (read by
 * any thread) and {@link #start()}/{@link #stop()} (control thread, before and after the loop serves).
 * Allocation-free after construction.
 */
public final class Worker
{
    /** Period of the timer tick: the resolution of peek timeouts and server-first delays. */
    public static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(25);
    private static final int IDLE_CHECK_EVERY_TICKS = 20;
    /**
     * One receive-buffer sizer for every client and backend channel (each channel still gets its own
     * handle): without it each channel's config keeps an allocator object of its own, 32 bytes per
     * channel for as long as the connection lives (bench-results/2026-12-01-*-footprint.md).
     */
    public static final RecvByteBufAllocator RECEIVE_ALLOCATOR = new AdaptiveRecvByteBufAllocator();
    private static final boolean VIA_BOOTSTRAP = Boolean.getBoolean("gatehouse.connect.bootstrap");

    private final int index;
    private final EventLoop loop;
    private final Transport transport;
    private final NanoClock clock;
    private final WorkerCounters counters = new WorkerCounters();
    private final ConnectionList peeking = new ConnectionList();
    private final ConnectionList relaying = new ConnectionList();
    private final UnsafeBuffer peekView = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer scratchView = new UnsafeBuffer(new byte[0]);
    private final ProxyHeaderParser proxyParser = new ProxyHeaderParser();
    private final ProxyHeaderEncoder proxyEncoder = new ProxyHeaderEncoder();
    private final Bootstrap backendBootstrap;
    private final ChannelFutureListener onClientClosed = this::onClientClosed;
    private final Runnable tick = this::onTick;
    private volatile Supplier<AccessLog> accessLog = () -> null;
    private TickSource.Subscription tickSubscription;
    private long ticks;

    public Worker(final int index, final EventLoop loop, final Transport transport, final NanoClock clock)
    {
        this.index = index;
        this.loop = loop;
        this.transport = transport;
        this.clock = clock;
        this.backendBootstrap = new Bootstrap()
            .group(loop)
            .channel(transport.socketChannelClass())
            // TCP_NODELAY is on already (see Listener's accepted-socket options): no second setsockopt.
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.AUTO_CLOSE, false)
            .option(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_ALLOCATOR)
            .handler(EmptyInitializer.INSTANCE);
    }

    public int index()
    {
        return index;
    }

    public EventLoop loop()
    {
        return loop;
    }

    public Transport transport()
    {
        return transport;
    }

    public long nowNs()
    {
        return clock.nanoTime();
    }

    /** The clock {@link #nowNs()} reads (one object per worker: a relay takes it, no method reference per connection). */
    public NanoClock clock()
    {
        return clock;
    }

    public WorkerCounters counters()
    {
        return counters;
    }

    public ConnectionList peeking()
    {
        return peeking;
    }

    public ConnectionList relaying()
    {
        return relaying;
    }

    /** A view the peek wraps around a read buffer's memory; valid until the next wrap on this loop. */
    public UnsafeBuffer peekView()
    {
        return peekView;
    }

    /** A second view, for writing (the PROXY header) while {@link #peekView()} still holds the peek. */
    public UnsafeBuffer scratchView()
    {
        return scratchView;
    }

    /** This loop's PROXY protocol header parser (for listeners with trusted sources). */
    public ProxyHeaderParser proxyParser()
    {
        return proxyParser;
    }

    /** This loop's PROXY protocol header encoder (for routes that send one). */
    public ProxyHeaderEncoder proxyEncoder()
    {
        return proxyEncoder;
    }

    /** The access log connections are written to, or {@code null} for none (one volatile read). */
    public AccessLog accessLog()
    {
        return accessLog.get();
    }

    /** Control thread: where {@link #accessLog()} comes from (it may change on reload). */
    public void accessLog(final Supplier<AccessLog> source)
    {
        accessLog = source;
    }

    /**
     * Registers a new backend channel on this loop (not yet connected). The channel is built and
     * registered directly ({@link Transport#newSocketChannel(boolean)}, its options set on its config, no
     * handler): a {@link Bootstrap} would copy its option and attribute maps, go through a reflective
     * constructor and add a handler context to the pipeline for every connection.
     * {@code -Dgatehouse.connect.bootstrap=true} goes back to the Bootstrap (measured in bench-results/).
     *
     * @param target the address it will connect to (an IPv4 one gets an IPv4-only socket on epoll).
     * @throws io.netty.channel.ChannelException when socket(2) fails (EMFILE, ENFILE, ENOBUFS): this host's
     *     failure, as a failed registration is.
     */
    public ChannelFuture registerBackend(final InetSocketAddress target)
    {
        if (VIA_BOOTSTRAP)
        {
            return backendBootstrap.register();
        }
        final Channel channel = transport.newSocketChannel(target.getAddress() instanceof Inet4Address);
        final ChannelConfig config = channel.config();
        config.setAutoRead(false);
        config.setAutoClose(false);
        ((DuplexChannelConfig)config).setAllowHalfClosure(true);
        config.setRecvByteBufAllocator(RECEIVE_ALLOCATOR);
        return loop.register(channel);
    }

    /**
     * Counts the client connection closed when its channel closes (one shared listener, no allocation),
     * for a connection refused before it has a session; a session counts its own client's close.
     */
    public ChannelFutureListener clientCloseListener()
    {
        return onClientClosed;
    }

    /**
     * Control thread: starts the timer tick, posted to the loop by the {@link TickSource} (not on the loop's
     * own schedule, which would make every loop turn read the clock).
     */
    public void start()
    {
        tickSubscription = TickSource.shared().subscribe(loop, tick);
    }

    /** Control thread: stops the timer tick. */
    public void stop()
    {
        if (tickSubscription != null)
        {
            tickSubscription.cancel();
        }
    }

    /** Any thread: runs one timer tick on the loop now (tests use it after moving the clock). */
    public Future<?> tickNow()
    {
        return loop.submit(tick);
    }

    /** Any thread: closes every connection this loop still holds (drain deadline). */
    public void closeAllConnections()
    {
        loop.execute(this::onCloseAll);
    }

    private void onTick()
    {
        final long nowNs = clock.nanoTime();
        peeking.tick(nowNs);
        if (++ticks % IDLE_CHECK_EVERY_TICKS == 0)
        {
            relaying.tick(nowNs);
        }
    }

    /** Any thread: runs the relay idle check on the loop now, whatever the tick count (tests). */
    public Future<?> idleCheckNow()
    {
        return loop.submit(() -> relaying.tick(clock.nanoTime()));
    }

    private void onCloseAll()
    {
        peeking.closeAll();
        relaying.closeAll();
    }

    private void onClientClosed(final ChannelFuture future)
    {
        counters.onConnectionClosed();
    }

    /**
     * Bootstrap wants a handler; this one removes itself once the channel is registered, so an idle
     * backend channel's pipeline holds only the relay's handler (a handler left in place is a context
     * object, 64 bytes, per connection).
     */
    @ChannelHandler.Sharable
    private static final class EmptyInitializer extends ChannelInitializer<Channel>
    {
        static final EmptyInitializer INSTANCE = new EmptyInitializer();

        @Override
        protected void initChannel(final Channel channel)
        {
        }
    }
}
