package io.gatehouse.router.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One listener's client-side counters: connections accepted and closed (open now is their difference),
 * bytes relayed each way, and the peek and whole-connection histograms of the connections that no route
 * took (exported with {@code route=""}; a connection sent to a route is recorded in that route's
 * {@link RouteCounters}). One {@link Slice} per event loop, written only by that loop with ordered stores, as
 * {@link WorkerCounters}; readers sum the slices with acquire loads.
 *
 * <p>Kept by the router per listener name across reloads while the listener serves; metrics render only
 * the listeners serving now, so a removed listener's series disappear with it. Allocation-free after
 * construction.
 */
public final class ListenerCounters
{
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD_LONGS = 8;
    private static final int ACCEPTED = PAD_LONGS;
    private static final int CLOSED = PAD_LONGS + 1;
    private static final int CLIENT_TO_BACKEND = PAD_LONGS + 2;
    private static final int BACKEND_TO_CLIENT = PAD_LONGS + 3;
    private static final int HISTOGRAM_LONGS = DurationBuckets.COUNT + 2;
    private static final int PEEK_BASE = PAD_LONGS + 4;
    private static final int CONNECTION_BASE = PEEK_BASE + HISTOGRAM_LONGS;
    private static final int LENGTH = CONNECTION_BASE + HISTOGRAM_LONGS + PAD_LONGS;

    private final String listener;
    private final Slice[] slices;

    /** @param listener the listener's name (its {@code listener} label). */
    public ListenerCounters(final String listener, final int workerCount)
    {
        this.listener = listener;
        this.slices = new Slice[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            slices[i] = new Slice();
        }
    }

    public String listener()
    {
        return listener;
    }

    /** The slice event loop {@code workerIndex} writes (a session keeps it from accept to end). */
    public Slice slice(final int workerIndex)
    {
        return slices[workerIndex];
    }

    /**
     * One event loop's counters of this listener. Written only by that loop's thread: a plain read of its own
     * slot, then an ordered (release) store. Padded at both ends, as {@link WorkerCounters}.
     */
    public static final class Slice
    {
        private final long[] values = new long[LENGTH];

        private Slice()
        {
        }

        /** A client connection was accepted (its session was created). */
        public void onAccepted()
        {
            bump(ACCEPTED, 1);
        }

        /**
         * The session of a connection accepted here ended. {@code peekNs} and {@code connectionNs} are recorded
         * only when {@code unrouted} (no route took the connection; a routed one is in its route's histograms),
         * and a negative {@code peekNs} (the peek never decided) is not recorded.
         */
        public void onClosed(final boolean unrouted, final long peekNs, final long connectionNs)
        {
            if (unrouted)
            {
                duration(PEEK_BASE, peekNs);
                duration(CONNECTION_BASE, connectionNs);
            }
            bump(CLOSED, 1);
        }

        /** Bytes written towards a backend. */
        public void onClientToBackend(final long bytes)
        {
            bump(CLIENT_TO_BACKEND, bytes);
        }

        /** Bytes written towards a client. */
        public void onBackendToClient(final long bytes)
        {
            bump(BACKEND_TO_CLIENT, bytes);
        }

        private void duration(final int base, final long durationNs)
        {
            if (durationNs < 0)
            {
                return;
            }
            bump(base + DurationBuckets.bucketOf(durationNs), 1);
            bump(base + DurationBuckets.COUNT + 1, durationNs);
        }

        private void bump(final int slot, final long delta)
        {
            SLOT.setRelease(values, slot, values[slot] + delta);
        }

        private long get(final int slot)
        {
            return (long)SLOT.getAcquire(values, slot);
        }
    }

    /** Any thread. */
    public long accepted()
    {
        return sum(ACCEPTED);
    }

    /** Any thread. */
    public long closed()
    {
        return sum(CLOSED);
    }

    /** Any thread: event loop {@code workerIndex}'s accepts only. */
    public long accepted(final int workerIndex)
    {
        return slices[workerIndex].get(ACCEPTED);
    }

    /**
     * Any thread: connections accepted whose session has not ended. The closed counts are read before the
     * accepted ones, so a loop's close is never seen without its accept: never negative (accepts made while
     * it reads may be included).
     */
    public long active()
    {
        final long closed = sum(CLOSED);
        return sum(ACCEPTED) - closed;
    }

    /** Any thread. */
    public long bytesClientToBackend()
    {
        return sum(CLIENT_TO_BACKEND);
    }

    /** Any thread. */
    public long bytesBackendToClient()
    {
        return sum(BACKEND_TO_CLIENT);
    }

    /**
     * Any thread: the cumulative counts of the unrouted connections' {@code duration} ({@link RouteCounters.Duration#PEEK}
     * or {@link RouteCounters.Duration#CONNECTION}) at each of {@link DurationBuckets}' bounds into
     * {@code cumulative}; returns the total count.
     */
    public long durationCounts(final RouteCounters.Duration duration, final long[] cumulative)
    {
        final int base = base(duration);
        return DurationBuckets.cumulate(this::sum, base, cumulative);
    }

    /** Any thread: the sum of the unrouted connections' {@code duration}, in seconds. */
    public double durationSumSeconds(final RouteCounters.Duration duration)
    {
        return sum(base(duration) + DurationBuckets.COUNT + 1) / 1e9;
    }

    private static int base(final RouteCounters.Duration duration)
    {
        return switch (duration)
        {
            case PEEK -> PEEK_BASE;
            case CONNECTION -> CONNECTION_BASE;
            default -> throw new IllegalArgumentException("a listener keeps no " + duration + " histogram: only routed connections connect");
        };
    }

    private long sum(final int slot)
    {
        long total = 0;
        for (final Slice slice : slices)
        {
            total += slice.get(slot);
        }
        return total;
    }
}
