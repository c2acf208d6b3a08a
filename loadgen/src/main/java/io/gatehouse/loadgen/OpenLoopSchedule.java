package io.gatehouse.loadgen;

/**
 * The intended start times of an open loop at a fixed rate: {@code startNs + i * 1e9 / rate},
 * computed from the index so that no rounding drift accumulates. Not thread-safe: one event loop
 * owns one schedule. Allocates nothing.
 */
public final class OpenLoopSchedule
{
    private final long startNs;
    private final double intervalNs;
    private long index;

    /**
     * @param startNs       the first intended time.
     * @param ratePerSecond transactions per second on this schedule, above zero.
     */
    public OpenLoopSchedule(final long startNs, final double ratePerSecond)
    {
        if (!(ratePerSecond > 0))
        {
            throw new IllegalArgumentException("rate must be above zero: " + ratePerSecond);
        }
        this.startNs = startNs;
        this.intervalNs = 1e9 / ratePerSecond;
    }

    public long nextIntendedNs()
    {
        return startNs + (long)(index * intervalNs);
    }

    /** Consumes the next intended time and returns it. */
    public long take()
    {
        final long intendedNs = nextIntendedNs();
        index++;
        return intendedNs;
    }

    /** How many intended times were consumed. */
    public long taken()
    {
        return index;
    }

    /** How many intended times are due at {@code nowNs} but not yet taken (the backlog). */
    public long dueAt(final long nowNs)
    {
        final long elapsed = nowNs - startNs;
        if (elapsed < 0)
        {
            return 0;
        }
        final long due = (long)(elapsed / intervalNs) + 1;
        return Math.max(0, due - index);
    }
}
