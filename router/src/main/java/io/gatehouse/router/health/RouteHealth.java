package io.gatehouse.router.health;

import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The health of one route's backends, indexed as in the route's {@code backends} (and its
 * {@code BackendPool}). Made by {@link HealthMonitor#register}.
 *
 * <p>Threads: {@link #onConnectFailure} / {@link #onConnectSuccess} from any event loop (one atomic
 * operation each, no allocation, no lock); {@link #isUp} from anywhere; everything else belongs to the
 * health thread. The published state is what the {@link HealthListener} was last told.
 */
public final class RouteHealth
{
    final String listenerName;
    final String routeId;
    final List<HostPort> backends;
    final HealthCheckConfig config;
    final String serverName;
    final HealthListener listener;
    final HealthMonitor monitor;

    final AtomicIntegerArray consecutiveFailures;
    final AtomicIntegerArray published;
    final AtomicLongArray probesOk;
    final AtomicLongArray probesFailed;
    /** Probes this host could not make (no descriptor, no local port): neither a pass nor a failure. */
    final AtomicLongArray probesLocal;
    final AtomicLongArray ejections;

    // Health thread only.
    final boolean[] activeUp;
    final int[] goodStreak;
    final int[] badStreak;
    final long[] nextProbeNs;
    final boolean[] ejected;
    final long[] ejectedUntilNs;
    final int[] ejectionsInARow;
    final long[] reinstatedNs;
    final AtomicIntegerArray probeInFlight;
    volatile boolean allDown;
    volatile boolean closed;

    RouteHealth(
        final HealthMonitor monitor, final String listenerName, final String routeId, final List<HostPort> backends,
        final HealthCheckConfig config, final String serverName, final HealthListener listener)
    {
        this.monitor = monitor;
        this.listenerName = listenerName;
        this.routeId = routeId;
        this.backends = List.copyOf(backends);
        this.config = config;
        this.serverName = serverName;
        this.listener = listener;
        final int n = backends.size();
        consecutiveFailures = new AtomicIntegerArray(n);
        published = new AtomicIntegerArray(n);
        probesOk = new AtomicLongArray(n);
        probesFailed = new AtomicLongArray(n);
        probesLocal = new AtomicLongArray(n);
        ejections = new AtomicLongArray(n);
        activeUp = new boolean[n];
        goodStreak = new int[n];
        badStreak = new int[n];
        nextProbeNs = new long[n];
        ejected = new boolean[n];
        ejectedUntilNs = new long[n];
        ejectionsInARow = new int[n];
        reinstatedNs = new long[n];
        probeInFlight = new AtomicIntegerArray(n);
        for (int i = 0; i < n; i++)
        {
            activeUp[i] = true;
            published.set(i, 1);
        }
    }

    /**
     * The data path failed to connect to backend {@code index}. After {@code eject_after} in a row the
     * backend is ejected (by the health thread, which this wakes). Any event loop; allocation-free.
     */
    public void onConnectFailure(final int index)
    {
        final int threshold = config.ejectAfterFailures();
        if (threshold > 0 && consecutiveFailures.incrementAndGet(index) == threshold)
        {
            monitor.wake();
        }
    }

    /** The data path connected to backend {@code index}: its failure streak ends. Any event loop; allocation-free. */
    public void onConnectSuccess(final int index)
    {
        if (consecutiveFailures.get(index) != 0)
        {
            consecutiveFailures.set(index, 0);
        }
    }

    /** What the listener was last told for backend {@code index}. */
    public boolean isUp(final int index)
    {
        return published.get(index) == 1;
    }

    /** True while no backend is up (whatever {@code when_all_down} then publishes). */
    public boolean allDown()
    {
        return allDown;
    }

    public String routeId()
    {
        return routeId;
    }

    public List<HostPort> backends()
    {
        return backends;
    }
}
