package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;

import io.gatehouse.router.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin HTTP endpoint on {@code admin.address}: Netty's HTTP/1.1 codec on its own one-thread event loop
 * group ({@code gatehouse-admin}, epoll where available, else NIO), never a data-path loop, so that no admin client can slow the data
 * path and no client can hold the admin endpoint for others.
 *
 * <ul>
 *   <li>Bounded: {@link AdminLimits} caps the request line (414), the headers (431), the body (413), the time
 *       to deliver a request (408, then close) and the connections open at once (the next is answered 503 and
 *       closed). Every refusal is counted ({@code gatehouse_admin_*}).</li>
 *   <li>Guarded: {@link AdminAccess} refuses foreign {@code Host}s (421), any {@code Origin} (403) and, with a
 *       token, unauthenticated {@code POST}s (401).</li>
 *   <li>Never blocked: reads answer on the admin loop from counters; {@code POST /reload} and
 *       {@code POST /backends/...} run on {@code gatehouse-admin-work}, one at a time, and the answer is
 *       written when they finish. A reload in progress does not delay {@code /healthz} or {@code /metrics}.</li>
 * </ul>
 * The endpoints are {@link AdminApi}'s; router/README-operations.md lists them.
 */
public final class AdminServer implements AutoCloseable
{
    /**
     * epoll where the host has it, NIO otherwise. Not NIO first: a closed NIO channel keeps its descriptor
     * (dup'd onto a placeholder socket) until the selector's next wake-up, so an idle admin loop would hold
     * one descriptor per answered connection-close request until the next request comes.
     */
    private static final boolean EPOLL = Epoll.isAvailable();

    /** The Prometheus text format's media type (OpenMetrics when the scraper asks for it). */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final String OVER_CAP_BODY = "too many admin connections open\n";
    private static final byte[] OVER_CAP = ("HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
        + "content-length: " + OVER_CAP_BODY.length() + "\r\nconnection: close\r\n\r\n" + OVER_CAP_BODY)
        .getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group;
    private final ExecutorService work;
    private final Channel channel;
    private final ChannelGroup children;
    private final AdminStats stats;
    private final MetricsRegistry metrics;
    private final MetricsSource source;

    private AdminServer(
        final EventLoopGroup group, final ExecutorService work, final Channel channel, final ChannelGroup children,
        final AdminStats stats, final MetricsRegistry metrics)
    {
        this.group = group;
        this.work = work;
        this.channel = channel;
        this.children = children;
        this.stats = stats;
        this.metrics = metrics;
        this.source = this::writeTo;
        metrics.register(source);
    }

    /** What the admin API serves beyond {@code /metrics}; {@code null} parts answer 404. */
    public record Endpoints(
        MetricsRegistry metrics, ReloadAction reload, Readiness readiness, Supplier<String> config, BackendControl backends)
    {
    }

    /** Binds with no token and default limits, serving {@code /ready} as always ready. */
    public static AdminServer start(final HostPort address, final MetricsRegistry metrics, final ReloadAction reload)
        throws IOException
    {
        final Readiness readiness = new Readiness();
        readiness.ready();
        return start(address, metrics, reload, readiness);
    }

    /** Binds with no token and default limits. */
    public static AdminServer start(
        final HostPort address, final MetricsRegistry metrics, final ReloadAction reload, final Readiness readiness)
        throws IOException
    {
        return start(address, new Endpoints(metrics, reload, readiness, null, null), AdminAccess.open(address.host()),
            AdminLimits.DEFAULT);
    }

    /**
     * Binds and starts.
     *
     * @param address   where to listen (port 0: an ephemeral port, see {@link #boundAddress()}).
     * @param endpoints what the API serves.
     * @param access    the Host, Origin and token rules.
     * @param limits    the bounds on each connection and on their number.
     * @throws IOException when the address cannot be bound (the message names it); nothing is left running.
     */
    public static AdminServer start(
        final HostPort address, final Endpoints endpoints, final AdminAccess access, final AdminLimits limits) throws IOException
    {
        final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gatehouse-admin", true),
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final ExecutorService work = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "gatehouse-admin-work");
            thread.setDaemon(true);
            return thread;
        });
        final AdminStats stats = new AdminStats();
        // Every accepted connection, so close() can end them itself: see close().
        final ChannelGroup children = new DefaultChannelGroup("gatehouse-admin", group.next());
        final AdminApi api = new AdminApi(endpoints.metrics(), endpoints.reload(), endpoints.readiness(), endpoints.config(),
            endpoints.backends(), work);
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(group)
            .channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 128)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel child)
                {
                    children.add(child);
                    if (stats.open() >= limits.maxConnections())
                    {
                        stats.onOverCap();
                        child.pipeline().addLast(new OverCap());
                        return;
                    }
                    stats.onOpened();
                    child.closeFuture().addListener(closed -> stats.onClosed());
                    final AdminConnection connection = new AdminConnection(api, access, stats, limits.requestTimeoutMs());
                    child.pipeline()
                        .addLast(connection.new Bytes())
                        .addLast(new HttpServerCodec(new HttpDecoderConfig()
                            .setMaxInitialLineLength(limits.maxRequestLineBytes())
                            .setMaxHeaderSize(limits.maxHeaderBytes())
                            .setMaxChunkSize(8192)))
                        .addLast(new BodyLimit(limits.maxBodyBytes(), stats))
                        .addLast(connection);
                }
            });
        final Channel bound;
        try
        {
            bound = bootstrap.bind(new InetSocketAddress(address.host(), address.port())).syncUninterruptibly().channel();
        }
        catch (final Exception ex)
        {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            work.shutdownNow();
            throw new IOException("admin address " + address + ": cannot bind: " + ex.getMessage(), ex);
        }
        return new AdminServer(group, work, bound, children, stats, endpoints.metrics());
    }

    /** The address actually bound. */
    public InetSocketAddress boundAddress()
    {
        return (InetSocketAddress)channel.localAddress();
    }

    private void writeTo(final SnapshotWriter writer)
    {
        writer.counter("gatehouse_admin_connections_total", "Admin connections accepted (over the cap or not).")
            .sample(stats.connections() + stats.overCap());
        writer.gauge("gatehouse_admin_connections_open", "Admin connections open now.").sample(stats.open());
        writer.counter("gatehouse_admin_requests_total", "Admin requests that passed the access rules and were answered.")
            .sample(stats.requests());
        writer.counter("gatehouse_admin_refused_total", "Admin connections or requests refused, by reason.")
            .sample(stats.overCap(), "reason", "over_cap")
            .sample(stats.timeouts(), "reason", "timeout")
            .sample(stats.tooLarge(), "reason", "too_large")
            .sample(stats.malformed(), "reason", "malformed")
            .sample(stats.badHost(), "reason", "host")
            .sample(stats.origin(), "reason", "origin")
            .sample(stats.unauthenticated(), "reason", "unauthenticated");
    }

    /**
     * Stops accepting, closes every admin connection and the work thread.
     *
     * <p>The connections are closed here, not left to the event loop's shutdown: Netty 4.2's loop closes its
     * channels only when it sees the shutdown at the top of a turn ({@code SingleThreadIoEventLoop.run}); a
     * shutdown that starts later in the turn, with no quiet period, ends the loop with its channels still open,
     * their sockets never closed and a half-read request's buffers never released (seen as a leak report).
     * Their inactive events are queued behind the close; one more task on the loop waits for them.
     */
    @Override
    public void close()
    {
        metrics.unregister(source);
        channel.close().syncUninterruptibly();
        for (int pass = 0; pass < 2; pass++)
        {
            // The second pass catches a connection whose set-up was already queued on the loop when the first ran.
            children.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            group.next().submit(() -> { }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        work.shutdownNow();
        try
        {
            work.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** A connection past {@link AdminLimits#maxConnections()}: one fixed 503, then close. */
    private static final class OverCap extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(ctx.alloc().buffer(OVER_CAP.length).writeBytes(OVER_CAP)).addListener(LingeringClose.AFTER_WRITE);
        }
    }

    /** Netty's aggregator with its 413 counted. */
    private static final class BodyLimit extends HttpObjectAggregator
    {
        private final AdminStats stats;

        BodyLimit(final int maxBodyBytes, final AdminStats stats)
        {
            super(maxBodyBytes);
            this.stats = stats;
        }

        @Override
        protected void handleOversizedMessage(final ChannelHandlerContext ctx, final io.netty.handler.codec.http.HttpMessage oversized)
            throws Exception
        {
            stats.onTooLarge();
            super.handleOversizedMessage(ctx, oversized);
        }
    }
}
