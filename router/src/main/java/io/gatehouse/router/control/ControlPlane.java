package io.gatehouse.router.control;

import io.gatehouse.router.admin.AdminAccess;
import io.gatehouse.router.admin.AdminLimits;
import io.gatehouse.router.admin.AdminServer;
import io.gatehouse.router.admin.BackendControl;
import io.gatehouse.router.admin.ConfigJson;
import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.admin.Readiness;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.health.HealthMonitor;
import io.gatehouse.router.log.AccessLog;
import io.gatehouse.router.policy.AdmissionPolicies;
import io.gatehouse.router.policy.ConnectionLimit;
import io.gatehouse.router.route.BackendOverrides;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything on the control path of a running router, started in one call and wired together: the
 * metrics registry, the admin server ({@code GET /metrics}, {@code POST /reload}), the config reloader
 * (SIGHUP, file watch), the access log (reopened on SIGUSR1), the health monitor and the process-wide
 * connection limit. The router registers its own {@link io.gatehouse.router.metrics.MetricsSource}s in
 * {@link #metrics()}, calls {@link #accessLog()} at each connection close, registers routes with
 * {@link #health()} and takes each listener's {@link io.gatehouse.router.policy.AdmissionPolicy} from
 * {@link #policies()}.
 *
 * <p>On a reload a changed {@code runtime.access_log} is opened first (a path that cannot be opened fails
 * the reload, nothing applied); then the router's {@link ReloadTarget} runs; when it succeeds, the parts
 * owned here follow the new config: {@code runtime.max_connections} at once, the new access log replaces
 * the old one. {@code admin.address}, {@code runtime.transport} and
 * {@code runtime.workers} are read at start only.
 *
 * <p>Threads: built and closed on the main thread; reloads on the reloader's threads; {@link #accessLog()}
 * is a volatile read for any event loop.
 */
public final class ControlPlane implements AutoCloseable
{
    public static final int PROBE_THREADS = 4;

    private final MetricsRegistry metrics = new MetricsRegistry();
    private final Readiness readiness = new Readiness();
    private final ConnectionLimit connectionLimit;
    private final AdmissionPolicies policies;
    private final HealthMonitor health;
    private final ConfigReloader reloader;
    private final Consumer<String> log;
    private final Path configPath;
    private volatile AccessLog accessLog;
    private volatile AdminServer admin;
    private volatile AdminAccess access;
    private volatile BackendControl backends;
    private volatile Supplier<Map<String, String>> xdsVersions;

    private ControlPlane(final Path configPath, final GatehouseConfig config, final ReloadTarget router, final Consumer<String> log,
        final HealthMonitor health, final LongSupplier nanoClock)
    {
        this.log = log;
        this.configPath = configPath;
        this.connectionLimit = new ConnectionLimit(config.runtime().maxConnections());
        this.policies = new AdmissionPolicies(connectionLimit, nanoClock);
        this.health = health;
        this.reloader = new ConfigReloader(configPath, config, next ->
        {
            final AccessLogChange logChange = prepareAccessLog(next);
            try
            {
                router.apply(next);
            }
            catch (final Exception | Error ex)
            {
                logChange.abandon();
                throw ex;
            }
            follow(next, logChange);
        }, log, System::currentTimeMillis);
        metrics.register(connectionLimit);
        metrics.register(policies);
        metrics.register(health);
        metrics.register(reloader);
        reloader.onUnchanged(this::followToken);
    }

    /**
     * Starts the control path for a router about to serve {@code config}.
     *
     * @param configPath    the file reloads re-read.
     * @param config        the config loaded from it.
     * @param router        what a reloaded config is applied to.
     * @param log           operator messages, one line each (e.g. {@code System.err::println}).
     * @param signals       whether to install the SIGHUP and SIGUSR1 handlers (off in tests that share a JVM).
     * @throws IOException  when the admin address cannot be bound or the access log opened (the message names
     *                      which); nothing is left running then.
     */
    public static ControlPlane start(
        final Path configPath, final GatehouseConfig config, final ReloadTarget router, final Consumer<String> log,
        final boolean signals) throws IOException
    {
        return start(configPath, config, router, log, signals, System::nanoTime);
    }

    /** As {@link #start(Path, GatehouseConfig, ReloadTarget, Consumer, boolean)}, with the clock the rate limits read. */
    public static ControlPlane start(
        final Path configPath, final GatehouseConfig config, final ReloadTarget router, final Consumer<String> log,
        final boolean signals, final LongSupplier nanoClock) throws IOException
    {
        Objects.requireNonNull(router);
        final ControlPlane plane = new ControlPlane(configPath, config, router, log, HealthMonitor.startDefault(PROBE_THREADS),
            nanoClock);
        try
        {
            final RuntimeConfig runtime = config.runtime();
            if (runtime.accessLog() != null)
            {
                plane.accessLog = AccessLog.open(runtime.accessLog(), AccessLog.DEFAULT_QUEUE_CAPACITY, log);
                plane.metrics.register(plane.accessLog);
            }
            if (config.admin() != null)
            {
                final Path tokenFile = config.admin().tokenPath(configPath);
                plane.access = new AdminAccess(config.admin().address().host(),
                    tokenFile == null ? null : AdminAccess.readToken(tokenFile));
                plane.admin = AdminServer.start(config.admin().address(),
                    new AdminServer.Endpoints(plane.metrics, plane.reloader, plane.readiness, plane::configJson, plane::applyBackend),
                    plane.access,
                    AdminLimits.DEFAULT);
            }
            if (signals)
            {
                plane.reloader.installSignalHandlers(plane::reopenAccessLog);
            }
            if (runtime.watchConfig())
            {
                plane.reloader.startWatching();
            }
            return plane;
        }
        catch (final IOException | RuntimeException ex)
        {
            plane.close();
            throw ex;
        }
    }

    /**
     * A changed {@code runtime.access_log} opened before the router applies anything, so that a path that
     * cannot be opened fails the whole reload (the old config and its access log keep serving).
     */
    private record AccessLogChange(boolean changes, AccessLog opened)
    {
        void abandon()
        {
            if (opened != null)
            {
                opened.close();
            }
        }
    }

    private AccessLogChange prepareAccessLog(final GatehouseConfig next) throws IOException
    {
        final AccessLog current = accessLog;
        final String wanted = next.runtime().accessLog();
        if (Objects.equals(wanted, current == null ? null : current.target()))
        {
            return new AccessLogChange(false, null);
        }
        if (wanted == null)
        {
            return new AccessLogChange(true, null);
        }
        try
        {
            return new AccessLogChange(true, AccessLog.open(wanted, AccessLog.DEFAULT_QUEUE_CAPACITY, log));
        }
        catch (final IOException ex)
        {
            throw new IOException("runtime.access_log: " + ex.getMessage() + " (still writing to "
                + (current == null ? "no access log" : current.target()) + ")", ex);
        }
    }

    private void follow(final GatehouseConfig next, final AccessLogChange logChange)
    {
        connectionLimit.setMax(next.runtime().maxConnections());
        followToken(next);
        policies.retain(next);
        if (!logChange.changes())
        {
            return;
        }
        final AccessLog current = accessLog;
        final AccessLog opened = logChange.opened();
        if (opened != null)
        {
            metrics.register(opened);
        }
        accessLog = opened;
        if (current != null)
        {
            metrics.unregister(current);
            current.close();
        }
    }

    /**
     * A reload re-reads {@code admin.token_file} (so a token can be rotated without a restart); one that cannot be
     * read keeps the token serving, logged. Removing the key removes the token. The admin address is not
     * reloadable: an {@code admin:} added by a reload is ignored until a restart.
     */
    private void followToken(final GatehouseConfig next)
    {
        final AdminAccess rules = access;
        if (rules == null || next.admin() == null)
        {
            return;
        }
        final Path tokenFile = next.admin().tokenPath(configPath);
        if (tokenFile == null)
        {
            rules.token(null);
            return;
        }
        try
        {
            rules.token(AdminAccess.readToken(tokenFile));
        }
        catch (final IOException ex)
        {
            log.accept("gatehouse: " + ex.getMessage() + "; keeping the admin token serving");
        }
    }

    /**
     * Who answers {@code POST /backends/...} (the router, once it serves; until then the API answers 404).
     * Any thread.
     */
    public void backends(final BackendControl control)
    {
        backends = control;
    }

    /**
     * The hook for an xDS source: the resource versions it last applied, by type URL, shown in
     * {@code GET /config}'s {@code xds} field ({@code null}: no control plane feeds the router). Any thread.
     */
    public void xdsVersions(final Supplier<Map<String, String>> versions)
    {
        xdsVersions = versions;
    }

    private String configJson()
    {
        final Supplier<Map<String, String>> xds = xdsVersions;
        return ConfigJson.render(reloader.current(), reloader.generation(), xds == null ? null : xds.get());
    }

    private String applyBackend(
        final String listener, final String route, final String address, final BackendOverrides.State state, final Integer weight)
    {
        final BackendControl control = backends;
        return control == null ? null : control.apply(listener, route, address, state, weight);
    }

    /** SIGUSR1: reopen the access log file (after logrotate moved it). */
    public void reopenAccessLog()
    {
        final AccessLog current = accessLog;
        if (current != null)
        {
            current.reopen();
        }
    }

    /** What {@code GET /metrics} renders; the router registers its sources here. */
    /** What {@code GET /ready} answers: the process marks itself ready and draining here. */
    public Readiness readiness()
    {
        return readiness;
    }

    public MetricsRegistry metrics()
    {
        return metrics;
    }

    /** The access log, or {@code null} when none is configured. Any thread (volatile read). */
    public AccessLog accessLog()
    {
        return accessLog;
    }

    public HealthMonitor health()
    {
        return health;
    }

    public ConnectionLimit connectionLimit()
    {
        return connectionLimit;
    }

    /**
     * Per-listener admission policies sharing {@link #connectionLimit()}: the router asks
     * {@link AdmissionPolicies#policyFor} for each listener while building a snapshot; listeners gone after a
     * reload are forgotten here once it is applied.
     */
    public AdmissionPolicies policies()
    {
        return policies;
    }

    public ConfigReloader reloader()
    {
        return reloader;
    }

    /** The admin server's bound address, or {@code null} when {@code admin:} is not configured. */
    public InetSocketAddress adminAddress()
    {
        final AdminServer server = admin;
        return server == null ? null : server.boundAddress();
    }

    /** Stops the admin server, the file watch, the health monitor, and flushes and closes the access log. */
    @Override
    public void close()
    {
        final AdminServer server = admin;
        if (server != null)
        {
            server.close();
        }
        reloader.close();
        health.close();
        final AccessLog current = accessLog;
        if (current != null)
        {
            current.close();
        }
    }
}
