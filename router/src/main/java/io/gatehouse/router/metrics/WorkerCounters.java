package io.gatehouse.router.metrics;

/**
 * One event loop's counters. Written only by that loop's thread with plain stores; read by any thread.
 * Padded at both ends so two loops' arrays never share a cache line with each other's hot slots.
 * Allocation-free after construction.
 */
public final class WorkerCounters
{
    private static final int PAD_LONGS = 8;

    private final long[] values = new long[PAD_LONGS + Counter.COUNT + PAD_LONGS];
    private long activeConnections;

    /** Event loop thread only. */
    public void increment(final Counter counter)
    {
        values[PAD_LONGS + counter.ordinal()]++;
    }

    /** Event loop thread only. */
    public void add(final Counter counter, final long delta)
    {
        values[PAD_LONGS + counter.ordinal()] += delta;
    }

    /** Any thread: a recent value. */
    public long get(final Counter counter)
    {
        return values[PAD_LONGS + counter.ordinal()];
    }

    /** Event loop thread only: a client connection was accepted. */
    public void onConnectionOpened()
    {
        values[PAD_LONGS + Counter.ACCEPTED.ordinal()]++;
        activeConnections++;
    }

    /** Event loop thread only: a client connection closed. */
    public void onConnectionClosed()
    {
        values[PAD_LONGS + Counter.CLOSED.ordinal()]++;
        activeConnections--;
    }

    /** Any thread: client connections open on this loop. */
    public long activeConnections()
    {
        return activeConnections;
    }
}
