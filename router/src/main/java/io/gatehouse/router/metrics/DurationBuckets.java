package io.gatehouse.router.metrics;

import java.util.concurrent.TimeUnit;

/**
 * The bucket bounds of gatehouse's duration histograms, in seconds as exported and in nanoseconds as recorded:
 * 100 us to 1 h, so one set serves peek, connect and whole-connection times. Immutable; {@link #bucketOf} is
 * a linear scan of at most {@link #COUNT} longs, allocation-free, for the event loops.
 */
public final class DurationBuckets
{
    /** Upper bounds in seconds; {@code +Inf} is implied after the last. */
    private static final double[] BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800,
        3600};

    /** Finite bounds; a histogram has {@code COUNT + 1} buckets. */
    public static final int COUNT = BOUNDS_SECONDS.length;

    private static final long[] BOUNDS_NS = new long[COUNT];

    static
    {
        for (int i = 0; i < COUNT; i++)
        {
            BOUNDS_NS[i] = Math.round(BOUNDS_SECONDS[i] * TimeUnit.SECONDS.toNanos(1));
        }
    }

    private DurationBuckets()
    {
    }

    /** The bucket a duration falls in: the first bound {@code >=} it, or {@link #COUNT} for {@code +Inf}. */
    public static int bucketOf(final long durationNs)
    {
        int i = 0;
        while (i < COUNT && durationNs > BOUNDS_NS[i])
        {
            i++;
        }
        return i;
    }

    /** A copy of the finite bounds in seconds. */
    public static double[] boundsSeconds()
    {
        return BOUNDS_SECONDS.clone();
    }

    /**
     * Reads a histogram's {@code COUNT + 1} bucket counts from {@code slot(base + b)} (b = 0 .. COUNT) into the
     * cumulative form Prometheus wants ({@code cumulative[b]} for the finite bounds); returns the total count.
     * Any thread (the slots are read with whatever ordering {@code slot} gives).
     */
    public static long cumulate(final java.util.function.IntToLongFunction slot, final int base, final long[] cumulative)
    {
        long running = 0;
        for (int b = 0; b <= COUNT; b++)
        {
            running += slot.applyAsLong(base + b);
            if (b < COUNT)
            {
                cumulative[b] = running;
            }
        }
        return running;
    }
}
