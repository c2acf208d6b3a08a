package io.gatehouse.router.health;

import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.Hostname;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.RouteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Keeps every registered route's backend health and tells each route's {@link HealthListener} when a
 * backend goes down or comes back.
 *
 * <p>A backend is up when its active check says so (it starts up; {@code fall} failed probes in a row take
 * it down, {@code rise} good ones bring it back) and it is not ejected. Ejection is passive: after
 * {@code eject_after} connect failures in a row reported by the data path, the backend is out for
 * {@code eject_backoff}, doubled for each further ejection in a row up to {@code eject_backoff_max}; it
 * returns when the time is up (the row resets once it has stayed in for {@code eject_backoff_max}). When no
 * backend of a route is up, {@code when_all_down: fail_closed} publishes them all down (the balancer then
 * has none to pick: the router refuses and counts {@code no_healthy_backend}); {@code fail_open} publishes
 * them all up instead.
 *
 * <p>Threads: {@link #tick()} runs on the {@code gatehouse-health} thread ({@link #start()}), or on a test's
 * thread with an injected clock; all state changes and listener calls happen there. Probes run on the
 * probe executor and hand results back through a queue. {@link #register}/{@link #unregister} from the
 * control thread.
 */
public final class HealthMonitor implements MetricsSource, AutoCloseable
{
    /** The longest the health thread sleeps between two ticks. */
    public static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final LongSupplier nanoClock;
    private final Prober prober;
    private final Executor probeExecutor;
    private final ExecutorService ownedExecutor;
    private final CopyOnWriteArrayList<RouteHealth> routes = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<ProbeResult> results = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    private volatile boolean running;

    private record ProbeResult(RouteHealth route, int index, Prober.Result result)
    {
    }

    /**
     * @param nanoClock     monotonic nanoseconds.
     * @param prober        runs one probe (blocking).
     * @param probeExecutor where probes run ({@code Runnable::run} in tests: inline in {@link #tick()}).
     */
    public HealthMonitor(final LongSupplier nanoClock, final Prober prober, final Executor probeExecutor)
    {
        this(nanoClock, prober, probeExecutor, null);
    }

    private HealthMonitor(final LongSupplier nanoClock, final Prober prober, final Executor probeExecutor, final ExecutorService owned)
    {
        this.nanoClock = nanoClock;
        this.prober = prober;
        this.probeExecutor = probeExecutor;
        this.ownedExecutor = owned;
    }

    /** The production monitor: real clock, real sockets, {@code probeThreads} probe threads, started. */
    public static HealthMonitor startDefault(final int probeThreads)
    {
        final AtomicInteger counter = new AtomicInteger();
        final ExecutorService executor = Executors.newFixedThreadPool(probeThreads, runnable ->
        {
            final Thread t = new Thread(runnable, "gatehouse-probe-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        final HealthMonitor monitor = new HealthMonitor(System::nanoTime, new SocketProber(), executor, executor);
        monitor.start();
        return monitor;
    }

    /**
     * Tracks a route's backends. With {@code inheritFrom} (the same route before a reload), backends with the
     * same address keep their state, and the listener is told at once about those that are down.
     *
     * @param listenerName for metrics.
     * @param route        the route (its backends, in order, and its health settings).
     * @param listener     told about changes (e.g. {@link HealthListener#of} the route's pool).
     * @param inheritFrom  the previous registration of this route, or {@code null}; it is unregistered.
     */
    public RouteHealth register(
        final String listenerName, final RouteConfig route, final HealthListener listener, final RouteHealth inheritFrom)
    {
        final List<HostPort> addresses = new ArrayList<>();
        for (final BackendConfig backend : route.backends())
        {
            addresses.add(backend.address());
        }
        String serverName = route.id();
        for (final String name : route.hostnames())
        {
            if (!Hostname.isWildcard(name))
            {
                serverName = name;
                break;
            }
        }
        final RouteHealth health = new RouteHealth(this, listenerName, route.id(), addresses, route.health(), serverName, listener);
        final long nowNs = nanoClock.getAsLong();
        for (int i = 0; i < addresses.size(); i++)
        {
            health.nextProbeNs[i] = nowNs;
        }
        synchronized (this)
        {
            if (inheritFrom != null)
            {
                inherit(health, inheritFrom);
                unregister(inheritFrom);
            }
            routes.add(health);
            publish(health, nowNs);
        }
        wake();
        return health;
    }

    private static void inherit(final RouteHealth to, final RouteHealth from)
    {
        for (int i = 0; i < to.backends.size(); i++)
        {
            final int j = from.backends.indexOf(to.backends.get(i));
            if (j < 0)
            {
                continue;
            }
            to.activeUp[i] = from.activeUp[j];
            to.goodStreak[i] = from.goodStreak[j];
            to.badStreak[i] = from.badStreak[j];
            to.ejected[i] = from.ejected[j];
            to.ejectedUntilNs[i] = from.ejectedUntilNs[j];
            to.ejectionsInARow[i] = from.ejectionsInARow[j];
            to.reinstatedNs[i] = from.reinstatedNs[j];
            to.consecutiveFailures.set(i, from.consecutiveFailures.get(j));
            to.ejections.set(i, from.ejections.get(j));
            to.probesOk.set(i, from.probesOk.get(j));
            to.probesFailed.set(i, from.probesFailed.get(j));
            to.probesLocal.set(i, from.probesLocal.get(j));
            if (to.config.check() == HealthCheckConfig.Check.NONE)
            {
                to.activeUp[i] = true;
            }
        }
    }

    /** Stops tracking a route (its backends are left as last published). */
    public void unregister(final RouteHealth health)
    {
        health.closed = true;
        routes.remove(health);
    }

    /** Starts the {@code gatehouse-health} thread. */
    public synchronized void start()
    {
        if (thread != null)
        {
            return;
        }
        running = true;
        final Thread t = new Thread(this::run, "gatehouse-health");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    private void run()
    {
        while (running)
        {
            try
            {
                tick();
            }
            catch (final RuntimeException ex)
            {
                System.err.println("gatehouse: health check tick failed: " + ex);
            }
            LockSupport.parkNanos(MAX_PARK_NS);
        }
    }

    /**
     * One pass: apply finished probes, eject backends whose failure streak reached the threshold, reinstate
     * those whose ejection is over, start the probes that are due, apply any that finished inline, and tell
     * listeners what changed.
     */
    public synchronized void tick()
    {
        final long nowNs = nanoClock.getAsLong();
        drainResults();
        for (final RouteHealth route : routes)
        {
            final HealthCheckConfig config = route.config;
            for (int i = 0; i < route.backends.size(); i++)
            {
                if (route.ejected[i] && route.ejectedUntilNs[i] - nowNs <= 0)
                {
                    route.ejected[i] = false;
                    route.reinstatedNs[i] = nowNs;
                    route.consecutiveFailures.set(i, 0);
                }
                if (!route.ejected[i] && config.ejectAfterFailures() > 0
                    && route.consecutiveFailures.get(i) >= config.ejectAfterFailures())
                {
                    eject(route, i, nowNs);
                }
                if (config.check() != HealthCheckConfig.Check.NONE && route.nextProbeNs[i] - nowNs <= 0
                    && route.probeInFlight.compareAndSet(i, 0, 1))
                {
                    route.nextProbeNs[i] = nowNs + config.intervalMs() * 1_000_000L;
                    startProbe(route, i);
                }
            }
        }
        drainResults();
        for (final RouteHealth route : routes)
        {
            publish(route, nowNs);
        }
    }

    private void eject(final RouteHealth route, final int i, final long nowNs)
    {
        final HealthCheckConfig config = route.config;
        final long maxNs = config.ejectMaxMs() * 1_000_000L;
        if (route.ejectionsInARow[i] > 0 && nowNs - route.reinstatedNs[i] >= maxNs)
        {
            route.ejectionsInARow[i] = 0;
        }
        final int shift = Math.min(route.ejectionsInARow[i], 30);
        final long lengthNs = Math.min(maxNs, (config.ejectBaseMs() * 1_000_000L) << shift);
        route.ejected[i] = true;
        route.ejectedUntilNs[i] = nowNs + (lengthNs > 0 ? lengthNs : maxNs);
        route.ejectionsInARow[i]++;
        route.ejections.incrementAndGet(i);
        route.consecutiveFailures.set(i, 0);
    }

    private void startProbe(final RouteHealth route, final int i)
    {
        final HostPort backend = route.backends.get(i);
        try
        {
            probeExecutor.execute(() ->
            {
                Prober.Result found = Prober.Result.FAILED;
                try
                {
                    found = prober.probe(backend, route.config.check(), route.serverName, route.config.timeoutMs());
                }
                finally
                {
                    results.add(new ProbeResult(route, i, found));
                    wake();
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            route.probeInFlight.set(i, 0);
        }
    }

    private void drainResults()
    {
        ProbeResult result;
        while ((result = results.poll()) != null)
        {
            final RouteHealth route = result.route();
            final int i = result.index();
            route.probeInFlight.set(i, 0);
            if (route.closed)
            {
                continue;
            }
            if (result.result() == Prober.Result.LOCAL_RESOURCE)
            {
                route.probesLocal.incrementAndGet(i);
            }
            else if (result.result() == Prober.Result.PASSED)
            {
                route.probesOk.incrementAndGet(i);
                route.badStreak[i] = 0;
                route.goodStreak[i]++;
                if (!route.activeUp[i] && route.goodStreak[i] >= route.config.rise())
                {
                    route.activeUp[i] = true;
                }
            }
            else
            {
                route.probesFailed.incrementAndGet(i);
                route.goodStreak[i] = 0;
                route.badStreak[i]++;
                if (route.activeUp[i] && route.badStreak[i] >= route.config.fall())
                {
                    route.activeUp[i] = false;
                }
            }
        }
    }

    private static void publish(final RouteHealth route, final long nowNs)
    {
        final int n = route.backends.size();
        boolean anyUp = false;
        for (int i = 0; i < n; i++)
        {
            anyUp |= route.activeUp[i] && !route.ejected[i];
        }
        route.allDown = !anyUp;
        final boolean failOpen = !anyUp && route.config.whenAllDown() == HealthCheckConfig.AllDown.FAIL_OPEN;
        for (int i = 0; i < n; i++)
        {
            final boolean up = failOpen || (route.activeUp[i] && !route.ejected[i]);
            if (up != route.isUp(i))
            {
                route.published.set(i, up ? 1 : 0);
                if (up)
                {
                    route.listener.markUp(i);
                }
                else
                {
                    route.listener.markDown(i);
                }
            }
        }
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        final SnapshotWriter.Family up = writer.gauge("gatehouse_backend_up",
            "1 when the backend is published up (active check passing and not ejected, or fail_open).");
        final SnapshotWriter.Family ejections = writer.counter("gatehouse_backend_ejections_total",
            "Passive ejections after consecutive connect failures.");
        final SnapshotWriter.Family probes = writer.counter("gatehouse_health_probes_total", "Active probes by result.");
        final SnapshotWriter.Family allDown = writer.gauge("gatehouse_route_all_backends_down",
            "1 while no backend of the route is up (when_all_down decides what is published).");
        for (final RouteHealth route : routes)
        {
            for (int i = 0; i < route.backends.size(); i++)
            {
                final String backend = route.backends.get(i).toString();
                up.sample(route.published.get(i), "listener", route.listenerName, "route", route.routeId, "backend", backend);
                ejections.sample(route.ejections.get(i), "listener", route.listenerName, "route", route.routeId, "backend", backend);
                probes.sample(route.probesOk.get(i), "listener", route.listenerName, "route", route.routeId, "backend", backend,
                    "result", "ok");
                probes.sample(route.probesFailed.get(i), "listener", route.listenerName, "route", route.routeId, "backend", backend,
                    "result", "failed");
                probes.sample(route.probesLocal.get(i), "listener", route.listenerName, "route", route.routeId, "backend", backend,
                    "result", "local_resource");
            }
            allDown.sample(route.allDown ? 1 : 0, "listener", route.listenerName, "route", route.routeId);
        }
    }

    /** Stops the health thread and the probe threads this monitor made. */
    @Override
    public void close()
    {
        running = false;
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
            try
            {
                t.join(2_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (ownedExecutor != null)
        {
            ownedExecutor.shutdownNow();
        }
    }
}
