package io.gatehouse.router.policy;

import io.gatehouse.router.config.SourceLimitConfig;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Per-source-address limits: open connections ({@code max_connections_per_source}) and a token bucket
 * for new connections ({@code new_connections_per_second_per_source}, {@code burst}), kept as GCRA (one
 * "theoretical arrival time" per source, no refill timer).
 *
 * <p>Threads: {@link #acquire} and {@link #release} from any event loop, concurrently; each source's entry
 * is guarded by its own monitor (contended only when one source connects through several loops at once).
 * {@link #reconfigure} from the control thread. Allocation: none per call for a known source (the
 * {@link InetAddress} is the key); one entry and one map node per new source. The table holds at most {@code maxSources} entries;
 * entries with no open connection and a full bucket are evicted by {@link #sweep()}, which runs at most
 * every {@link #SWEEP_INTERVAL_NS} from {@link #acquire} when the table is full, and may be called from a
 * timer. A new source that finds the table full of busy sources is refused
 * ({@link RejectReason#SOURCE_TABLE_FULL}): under a many-source flood the limiter fails closed.
 * While no limit is configured nothing is tracked and both calls return at once.
 */
public final class SourceLimiter
{
    public static final int DEFAULT_MAX_SOURCES = 100_000;
    public static final long SWEEP_INTERVAL_NS = 100_000_000L;

    private final ConcurrentHashMap<Object, Entry> entries = new ConcurrentHashMap<>();
    private final int maxSources;
    private final LongSupplier nanoClock;
    private final AtomicLong lastSweepNs;
    private volatile SourceLimitConfig limits;

    private static final class Entry
    {
        int open;
        long theoreticalArrivalNs;
        boolean dead;

        Entry(final long nowNs)
        {
            theoreticalArrivalNs = nowNs;
        }
    }

    /**
     * @param limits     the limits (see {@link SourceLimitConfig}).
     * @param maxSources the most sources tracked at once.
     * @param nanoClock  monotonic nanoseconds ({@code System::nanoTime} in production).
     */
    public SourceLimiter(final SourceLimitConfig limits, final int maxSources, final LongSupplier nanoClock)
    {
        if (maxSources < 1)
        {
            throw new IllegalArgumentException("maxSources must be >= 1");
        }
        this.limits = limits;
        this.maxSources = maxSources;
        this.nanoClock = nanoClock;
        this.lastSweepNs = new AtomicLong(nanoClock.getAsLong() - SWEEP_INTERVAL_NS);
    }

    /** Control thread: new limits; tracked sources keep their counts. */
    public void reconfigure(final SourceLimitConfig limits)
    {
        this.limits = limits;
    }

    public SourceLimitConfig limits()
    {
        return limits;
    }

    /**
     * Counts a new connection from {@code source}, or refuses it.
     *
     * @return {@link RejectReason#NONE} (the caller then owes one {@link #release}),
     * {@link RejectReason#SOURCE_CONNECTION_LIMIT}, {@link RejectReason#SOURCE_RATE_LIMIT} or
     * {@link RejectReason#SOURCE_TABLE_FULL}.
     */
    public RejectReason acquire(final InetAddress source)
    {
        final SourceLimitConfig config = limits;
        if (config.isNone())
        {
            return RejectReason.NONE;
        }
        final Object key = keyOf(source);
        final long nowNs = nanoClock.getAsLong();
        while (true)
        {
            Entry entry = entries.get(key);
            if (entry == null)
            {
                if (entries.size() >= maxSources)
                {
                    maybeSweep(nowNs);
                    if (entries.size() >= maxSources)
                    {
                        return RejectReason.SOURCE_TABLE_FULL;
                    }
                }
                final Entry fresh = new Entry(nowNs);
                final Entry raced = entries.putIfAbsent(key, fresh);
                entry = raced != null ? raced : fresh;
            }
            synchronized (entry)
            {
                if (entry.dead)
                {
                    continue;
                }
                if (config.maxConnectionsPerSource() > 0 && entry.open >= config.maxConnectionsPerSource())
                {
                    return RejectReason.SOURCE_CONNECTION_LIMIT;
                }
                final int rate = config.newConnectionsPerSecondPerSource();
                if (rate > 0)
                {
                    final long intervalNs = 1_000_000_000L / rate;
                    final long toleranceNs = (long)(Math.max(1, config.burst()) - 1) * intervalNs;
                    final long arrivalNs = entry.theoreticalArrivalNs - nowNs > 0 ? entry.theoreticalArrivalNs : nowNs;
                    if (arrivalNs - nowNs > toleranceNs)
                    {
                        return RejectReason.SOURCE_RATE_LIMIT;
                    }
                    entry.theoreticalArrivalNs = arrivalNs + intervalNs;
                }
                entry.open++;
                return RejectReason.NONE;
            }
        }
    }

    /** The connection counted by a successful {@link #acquire} closed. */
    public void release(final InetAddress source)
    {
        final Object key = keyOf(source);
        final Entry entry = entries.get(key);
        if (entry == null)
        {
            return;
        }
        final long nowNs = nanoClock.getAsLong();
        synchronized (entry)
        {
            if (entry.open > 0)
            {
                entry.open--;
            }
            if (entry.open == 0 && entry.theoreticalArrivalNs - nowNs <= 0 && !entry.dead)
            {
                entry.dead = true;
                entries.remove(key, entry);
            }
        }
    }

    private void maybeSweep(final long nowNs)
    {
        final long last = lastSweepNs.get();
        if (nowNs - last >= SWEEP_INTERVAL_NS && lastSweepNs.compareAndSet(last, nowNs))
        {
            sweep();
        }
    }

    /** Evicts every idle source (no open connection, full bucket). Any thread. */
    public int sweep()
    {
        final long nowNs = nanoClock.getAsLong();
        int evicted = 0;
        final Iterator<Map.Entry<Object, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext())
        {
            final Map.Entry<Object, Entry> mapEntry = it.next();
            final Entry entry = mapEntry.getValue();
            synchronized (entry)
            {
                if (!entry.dead && entry.open == 0 && entry.theoreticalArrivalNs - nowNs <= 0)
                {
                    entry.dead = true;
                    entries.remove(mapEntry.getKey(), entry);
                    evicted++;
                }
            }
        }
        return evicted;
    }

    /** Sources tracked now. */
    public int trackedSources()
    {
        return entries.size();
    }

    /** Open connections counted for {@code source} (tests, stat). */
    public int openConnections(final InetAddress source)
    {
        final Entry entry = entries.get(keyOf(source));
        if (entry == null)
        {
            return 0;
        }
        synchronized (entry)
        {
            return entry.open;
        }
    }

    /**
     * The address itself: {@link InetAddress#equals} and {@link InetAddress#hashCode} are its bytes (the JDK
     * already turns IPv4-mapped IPv6 into {@link java.net.Inet4Address}), so no key is allocated.
     */
    private static Object keyOf(final InetAddress source)
    {
        return source;
    }
}
