package io.gatehouse.router.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event loop's counters. Written only by that loop's thread: a plain read of its own slot, then an
 * ordered (release) store of the new value, as Agrona's {@code AtomicCounter.incrementOrdered} does: no
 * lock, no CAS, and a reader on another thread (acquire load) never sees a torn or out-of-thin-air value,
 * only one a few increments old. Padded at both ends so two loops' arrays never share a cache line with
 * each other's hot slots. Allocation-free after construction.
 */
public final class WorkerCounters
{
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD_LONGS = 8;
    private static final int ACTIVE = PAD_LONGS + Counter.COUNT;

    private final long[] values = new long[PAD_LONGS + Counter.COUNT + 1 + PAD_LONGS];

    /** Event loop thread only. */
    public void increment(final Counter counter)
    {
        add(PAD_LONGS + counter.ordinal(), 1);
    }

    /** Event loop thread only. */
    public void add(final Counter counter, final long delta)
    {
        add(PAD_LONGS + counter.ordinal(), delta);
    }

    private void add(final int slot, final long delta)
    {
        SLOT.setRelease(values, slot, values[slot] + delta);
    }

    /** Any thread: a recent value. */
    public long get(final Counter counter)
    {
        return (long)SLOT.getAcquire(values, PAD_LONGS + counter.ordinal());
    }

    /** Event loop thread only: a client connection was accepted (its socket is open). */
    public void onConnectionOpened()
    {
        add(ACTIVE, 1);
    }

    /** Event loop thread only: a client socket closed. */
    public void onConnectionClosed()
    {
        add(ACTIVE, -1);
    }

    /**
     * Any thread: client sockets open on this loop, whatever listener accepted them (one a reload removed
     * included): what the drain waits for. The exported {@code gatehouse_connections_active} is per listener
     * ({@link ListenerCounters#active()}).
     */
    public long activeConnections()
    {
        return (long)SLOT.getAcquire(values, ACTIVE);
    }
}
