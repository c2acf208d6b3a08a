package io.gatehouse.balancer;

import java.math.BigInteger;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Table sizes and the rebuild executor of a {@link BackendPool}. Immutable; each {@code withX} returns a copy.
 * Two router hosts agree on where a key goes only when they use the same options and the same backend set.
 */
public final class BalancerOptions
{
    /** Maglev table size used unless another is chosen: prime, as in the paper and Envoy. */
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65_537;

    /**
     * Selectable Maglev table sizes: the first prime above each power of two from 2^16 to 2^24. The paper
     * keeps the table at least 100 times the backend count for a balance within about 1%.
     */
    public static final int[] MAGLEV_TABLE_SIZES =
        { 65_537, 131_101, 262_147, 524_309, 1_048_583, 2_097_169, 4_194_319, 8_388_617, 16_777_259 };

    /** Largest Maglev table accepted (2^26 entries, 256 MiB of {@code int}). */
    public static final int MAX_MAGLEV_TABLE_SIZE = 1 << 26;

    /**
     * Fewest ring points by default. Envoy's {@code minimum_ring_size} default is 1,024, which leaves 100
     * backends between 0.52 and 1.55 of their fair share; 65,536 keeps them within about 6% (measured in
     * {@code bench-results/balancer.md}) for about 1.7 MB per 100-backend pool.
     */
    public static final int DEFAULT_RING_MIN_SIZE = 65_536;

    /** Envoy's {@code maximum_ring_size} default. */
    public static final int DEFAULT_RING_MAX_SIZE = 8 * 1024 * 1024;

    private static final Executor CALLER_THREAD = Runnable::run;
    private static final BalancerOptions DEFAULTS = new BalancerOptions(
        DEFAULT_MAGLEV_TABLE_SIZE, DEFAULT_RING_MIN_SIZE, DEFAULT_RING_MAX_SIZE, CALLER_THREAD);

    private final int maglevTableSize;
    private final int ringMinSize;
    private final int ringMaxSize;
    private final Executor rebuildExecutor;

    private BalancerOptions(
        final int maglevTableSize, final int ringMinSize, final int ringMaxSize, final Executor rebuildExecutor)
    {
        if (maglevTableSize < 2 || maglevTableSize > MAX_MAGLEV_TABLE_SIZE ||
            !BigInteger.valueOf(maglevTableSize).isProbablePrime(64))
        {
            throw new IllegalArgumentException(
                "maglev table size " + maglevTableSize + " must be a prime in 2.." + MAX_MAGLEV_TABLE_SIZE);
        }
        if (ringMinSize < 1 || ringMaxSize < ringMinSize)
        {
            throw new IllegalArgumentException(
                "ring sizes need 1 <= min <= max, got min " + ringMinSize + " max " + ringMaxSize);
        }
        this.maglevTableSize = maglevTableSize;
        this.ringMinSize = ringMinSize;
        this.ringMaxSize = ringMaxSize;
        this.rebuildExecutor = Objects.requireNonNull(rebuildExecutor, "rebuildExecutor");
    }

    /**
     * The defaults: Maglev 65537, ring 65536..8M, rebuilds on the thread that changes health.
     *
     * @return the default options.
     */
    public static BalancerOptions defaults()
    {
        return DEFAULTS;
    }

    /**
     * The smallest of {@link #MAGLEV_TABLE_SIZES} that is at least 100 times {@code backendCount}, or the
     * largest when none is.
     *
     * @param backendCount how many backends the pool will hold.
     * @return a prime table size.
     */
    public static int maglevTableSizeFor(final int backendCount)
    {
        final long wanted = 100L * backendCount;
        for (final int size : MAGLEV_TABLE_SIZES)
        {
            if (size >= wanted)
            {
                return size;
            }
        }
        return MAGLEV_TABLE_SIZES[MAGLEV_TABLE_SIZES.length - 1];
    }

    /**
     * @param size a prime, at most {@link #MAX_MAGLEV_TABLE_SIZE}.
     * @return a copy with this Maglev table size.
     * @throws IllegalArgumentException when the size is not such a prime.
     */
    public BalancerOptions withMaglevTableSize(final int size)
    {
        return new BalancerOptions(size, ringMinSize, ringMaxSize, rebuildExecutor);
    }

    /**
     * @param minSize fewest replica points on the ring.
     * @param maxSize most replica points on the ring.
     * @return a copy with these ring bounds.
     * @throws IllegalArgumentException unless {@code 1 <= minSize <= maxSize}.
     */
    public BalancerOptions withRingSize(final int minSize, final int maxSize)
    {
        return new BalancerOptions(maglevTableSize, minSize, maxSize, rebuildExecutor);
    }

    /**
     * Where tables are rebuilt after a health change. The default runs the rebuild on the thread that calls
     * {@link BackendPool#markDown(int)} (a control thread, never an event loop); an executor makes
     * {@code markDown} return at once, lookups moving on from the down backend until the new table lands.
     *
     * @param executor runs rebuild tasks; must not be an event loop that also picks.
     * @return a copy with this executor.
     */
    public BalancerOptions withRebuildExecutor(final Executor executor)
    {
        return new BalancerOptions(maglevTableSize, ringMinSize, ringMaxSize, executor);
    }

    public int maglevTableSize()
    {
        return maglevTableSize;
    }

    public int ringMinSize()
    {
        return ringMinSize;
    }

    public int ringMaxSize()
    {
        return ringMaxSize;
    }

    public Executor rebuildExecutor()
    {
        return rebuildExecutor;
    }

    @Override
    public String toString()
    {
        return "BalancerOptions{maglevTableSize=" + maglevTableSize + ", ringMinSize=" + ringMinSize +
            ", ringMaxSize=" + ringMaxSize + "}";
    }
}
