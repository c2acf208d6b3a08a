package io.gatehouse.router.policy;

import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide limit on open client connections ({@code runtime.max_connections}; 0 = none). One
 * instance for the whole process, shared by every listener's {@link AdmissionPolicy} and kept across
 * reloads ({@link #setMax(int)}). Any event loop; one CAS on acquire and one decrement on release, and
 * none at all while no limit is set.
 */
public final class ConnectionLimit implements MetricsSource
{
    private final AtomicInteger open = new AtomicInteger();
    private volatile int max;

    public ConnectionLimit(final int max)
    {
        setMax(max);
    }

    /** Control thread: a new limit (0 = none). Connections already open stay; new ones see the new limit. */
    public void setMax(final int max)
    {
        if (max < 0)
        {
            throw new IllegalArgumentException("max must be >= 0");
        }
        this.max = max;
    }

    /**
     * @return true when admitted; the caller then owes exactly one {@link #release()}.
     */
    public boolean tryAcquire()
    {
        final int limit = max;
        while (true)
        {
            final int current = open.get();
            if (limit > 0 && current >= limit)
            {
                return false;
            }
            if (open.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    public void release()
    {
        open.decrementAndGet();
    }

    /** Connections counted now. */
    public int open()
    {
        return open.get();
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        writer.gauge("gatehouse_connection_limit_open", "Client connections counted against runtime.max_connections.")
            .sample(open.get());
        writer.gauge("gatehouse_connection_limit_max", "runtime.max_connections (0 = no limit).").sample(max);
    }
}
