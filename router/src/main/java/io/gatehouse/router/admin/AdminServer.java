package io.gatehouse.router.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.control.ReloadAction;
import io.gatehouse.router.control.ReloadOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP endpoint on {@code admin.address} (loopback by default; it has no authentication, so
 * bind it where only operators reach). One thread, {@code gatehouse-admin}; never an event loop.
 *
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text exposition of every registered {@link MetricsSource}.</li>
 *   <li>{@code POST /reload}: 200 and the one-line summary when applied; 422 and the one-line config
 *       error when the file is invalid; 500 when the router failed to apply it. The old config keeps
 *       serving unless the answer is 200.</li>
 *   <li>{@code GET /healthz}: 200 {@code ok} while the process runs (liveness).</li>
 *   <li>{@code GET /ready}: 200 once the first config serves and until a drain starts, else 503
 *       ({@link Readiness}; for the load balancer or routing daemon in front).</li>
 * </ul>
 * Anything else: 404, or 405 for a known path with the wrong method.
 */
public final class AdminServer implements AutoCloseable
{
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final int MAX_REQUEST_BODY_BYTES = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final MetricsRegistry metrics;
    private final ReloadAction reload;
    private final Readiness readiness;

    private AdminServer(
        final HttpServer server, final ExecutorService executor, final MetricsRegistry metrics, final ReloadAction reload,
        final Readiness readiness)
    {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.reload = reload;
        this.readiness = readiness;
    }

    /**
     * Binds and starts.
     *
     * @param address where to listen (port 0: an ephemeral port, see {@link #boundAddress()}).
     * @param metrics what {@code GET /metrics} renders.
     * @param reload  what {@code POST /reload} runs, or {@code null} to answer it 404.
     * @throws IOException when the address cannot be bound (the message names it).
     */
    public static AdminServer start(final HostPort address, final MetricsRegistry metrics, final ReloadAction reload)
        throws IOException
    {
        final Readiness readiness = new Readiness();
        readiness.ready();
        return start(address, metrics, reload, readiness);
    }

    /**
     * Binds and starts, answering {@code GET /ready} from {@code readiness}.
     *
     * @throws IOException when the address cannot be bound (the message names it).
     */
    public static AdminServer start(
        final HostPort address, final MetricsRegistry metrics, final ReloadAction reload, final Readiness readiness)
        throws IOException
    {
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
        }
        catch (final IOException ex)
        {
            throw new IOException("admin address " + address + ": cannot bind: " + ex.getMessage(), ex);
        }
        final ExecutorService executor = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "gatehouse-admin");
            thread.setDaemon(true);
            return thread;
        });
        final AdminServer admin = new AdminServer(server, executor, metrics, reload, readiness);
        server.setExecutor(executor);
        server.createContext("/", admin::handle);
        server.start();
        return admin;
    }

    /** The address actually bound. */
    public InetSocketAddress boundAddress()
    {
        return server.getAddress();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            drainBody(exchange.getRequestBody());
            final String path = exchange.getRequestURI().getPath();
            final String method = exchange.getRequestMethod();
            switch (path)
            {
                case "/metrics" ->
                {
                    if (!method.equals("GET") && !method.equals("HEAD"))
                    {
                        send(exchange, 405, "text/plain; charset=utf-8", "use GET\n", "GET, HEAD");
                        return;
                    }
                    send(exchange, 200, METRICS_CONTENT_TYPE, metrics.scrape(), null);
                }
                case "/reload" ->
                {
                    if (reload == null)
                    {
                        send(exchange, 404, "text/plain; charset=utf-8", "reload is not enabled\n", null);
                        return;
                    }
                    if (!method.equals("POST"))
                    {
                        send(exchange, 405, "text/plain; charset=utf-8", "use POST\n", "POST");
                        return;
                    }
                    final ReloadOutcome outcome = reload.reload("POST /reload");
                    final int status = switch (outcome.result())
                    {
                        case APPLIED -> 200;
                        case INVALID -> 422;
                        case FAILED -> 500;
                    };
                    send(exchange, status, "text/plain; charset=utf-8", outcome.message() + "\n", null);
                }
                case "/healthz" -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n", null);
                case "/ready" ->
                {
                    final Readiness.State state = readiness.state();
                    send(exchange, state == Readiness.State.READY ? 200 : 503, "text/plain; charset=utf-8",
                        state.name().toLowerCase(java.util.Locale.ROOT) + "\n", null);
                }
                default -> send(exchange, 404, "text/plain; charset=utf-8",
                    "not found; try GET /metrics, POST /reload, GET /healthz, GET /ready\n", null);
            }
        }
        catch (final RuntimeException ex)
        {
            try
            {
                send(exchange, 500, "text/plain; charset=utf-8", "internal error: " + ex + "\n", null);
            }
            catch (final IOException | RuntimeException ignored)
            {
                // The response had already started; the connection closes.
            }
        }
    }

    private static void drainBody(final InputStream body) throws IOException
    {
        final byte[] scratch = new byte[4096];
        int total = 0;
        int read;
        while ((read = body.read(scratch)) > 0)
        {
            total += read;
            if (total > MAX_REQUEST_BODY_BYTES)
            {
                throw new IOException("request body too large");
            }
        }
    }

    private static void send(
        final HttpExchange exchange, final int status, final String contentType, final String body, final String allow)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (allow != null)
        {
            exchange.getResponseHeaders().set("Allow", allow);
        }
        final boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
