package io.gatehouse.balancer;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Table sizes and the rebuild executor of a {@link BackendPool}. Immutable; each {@code withX} returns a copy.
 * Two router hosts agree on where a key goes only when they use the same options and the same backend set.
 * <p>
 * Unless a size is chosen ({@link #withMaglevTableSize(int)}, {@link #withRingSize(int, int)}), it scales with
 * the pool: {@link #defaultMaglevTableSize(List)} and {@link #defaultRingMinSize(List)}, computed once when the
 * pool is created from its configured backends (ids and weights, not their health), so a health change never
 * changes the size; {@link BackendPool#tableOptions()} gives the sizes a pool settled on.
 */
public final class BalancerOptions
{
    /**
     * What {@link #maglevTableSize()} and {@link #ringMinSize()} answer when the size is not chosen but scales
     * with each pool.
     */
    public static final int SCALED = 0;

    /**
     * The largest Maglev table size chosen by default, the one every pool of 19 or more equal-weight backends
     * gets (and every pool got before sizes scaled): prime, as in the paper and Envoy.
     */
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65_537;

    /**
     * Selectable Maglev table sizes: the first prime above each power of two from 2^8 to 2^24. The paper
     * keeps the table at least 100 times the backend count for a balance within about 1%.
     */
    public static final int[] MAGLEV_TABLE_SIZES = {
        257, 521, 1_031, 2_053, 4_099, 8_209, 16_411, 32_771,
        65_537, 131_101, 262_147, 524_309, 1_048_583, 2_097_169, 4_194_319, 8_388_617, 16_777_259 };

    /** Largest Maglev table accepted (2^26 entries, 256 MiB of {@code int}). */
    public static final int MAX_MAGLEV_TABLE_SIZE = 1 << 26;

    /**
     * The most ring points chosen by default: the minimum of a pool of 64 or more equal-weight backends. Envoy's
     * {@code minimum_ring_size} default is 1,024, which leaves 100 backends between 0.52 and 1.55 of their fair
     * share; 65,536 (1,024 points per backend at 100 backends) keeps them within about 6% (measured in
     * {@code bench-results/balancer.md}) for about 1.7 MB per 100-backend pool.
     */
    public static final int DEFAULT_RING_MIN_SIZE = 65_536;

    /** Ring points per backend (per lightest unit of weight) that a scaled default minimum aims at. */
    public static final int RING_POINTS_PER_BACKEND = 1_024;

    /** Envoy's {@code maximum_ring_size} default. */
    public static final int DEFAULT_RING_MAX_SIZE = 8 * 1024 * 1024;

    /** Above this many backends the scaled Maglev size is {@link #DEFAULT_MAGLEV_TABLE_SIZE} whatever the rule. */
    private static final long SCALED_BACKENDS_LIMIT = 1L << 16;

    private static final Executor CALLER_THREAD = Runnable::run;
    private static final BalancerOptions DEFAULTS =
        new BalancerOptions(SCALED, SCALED, DEFAULT_RING_MAX_SIZE, CALLER_THREAD);

    private final int maglevTableSize;
    private final int ringMinSize;
    private final int ringMaxSize;
    private final Executor rebuildExecutor;

    private BalancerOptions(
        final int maglevTableSize, final int ringMinSize, final int ringMaxSize, final Executor rebuildExecutor)
    {
        this.maglevTableSize = maglevTableSize;
        this.ringMinSize = ringMinSize;
        this.ringMaxSize = ringMaxSize;
        this.rebuildExecutor = Objects.requireNonNull(rebuildExecutor, "rebuildExecutor");
    }

    /**
     * The defaults: Maglev and ring sizes that scale with each pool ({@link #defaultMaglevTableSize(List)},
     * {@link #defaultRingMinSize(List)}), at most 8M ring points, rebuilds on the thread that changes health.
     *
     * @return the default options.
     */
    public static BalancerOptions defaults()
    {
        return DEFAULTS;
    }

    /**
     * The smallest of {@link #MAGLEV_TABLE_SIZES} that is at least 100 times {@code backendCount} (the paper's
     * rule for a balance within about 1%: a table of {@code M} slots gives each of {@code n} equal backends
     * {@code floor(M / n)} or {@code ceil(M / n)} of them), or the largest when none is. For balance only: the
     * default size, {@link #defaultMaglevTableSize(List)}, also bounds how many keys a leaving backend moves.
     *
     * @param backendCount how many backends the pool will hold.
     * @return a prime table size.
     */
    public static int maglevTableSizeFor(final int backendCount)
    {
        return smallestTableSizeOfAtLeast(100L * backendCount);
    }

    /**
     * The Maglev table size of a pool when none is chosen: the smallest of {@link #MAGLEV_TABLE_SIZES} that is
     * at least {@code 100 * n * n}, and at most {@link #DEFAULT_MAGLEV_TABLE_SIZE}, where {@code n} is
     * {@link #equivalentBackendCount(List)}. {@code 100 * n} would be enough for balance, but Pseudocode 1
     * moves keys of staying backends too when one leaves, about {@code n / sqrt(M)} times the leaver's share
     * more (measured in {@code bench-results/balancer.md}): {@code 100 * n * n} keeps that near a tenth, so
     * one of {@code n} leaving moves close to {@code 1/n} of the keys as at the old fixed size. 2 backends get
     * 521 entries, 5 get 4,099, 10 get 16,411, 19 and more 65,537 as every pool did before.
     *
     * @param backends the pool's configured backends, any order, up or down.
     * @return a prime table size.
     */
    public static int defaultMaglevTableSize(final List<Backend> backends)
    {
        final long n = Math.min(equivalentBackendCount(backends), SCALED_BACKENDS_LIMIT);
        return Math.min(DEFAULT_MAGLEV_TABLE_SIZE, smallestTableSizeOfAtLeast(100 * n * n));
    }

    /**
     * The fewest ring points of a pool when no bounds are chosen: the smallest power of two at least
     * {@link #RING_POINTS_PER_BACKEND} times {@link #equivalentBackendCount(List)}, at most
     * {@link #DEFAULT_RING_MIN_SIZE}: each backend keeps at least the 1,024 points a backend of a 100-backend
     * pool had (about 6% from its share at 100 backends, fewer points per pool for small ones).
     *
     * @param backends the pool's configured backends, any order, up or down.
     * @return a power of two from 1,024 to 65,536.
     */
    public static int defaultRingMinSize(final List<Backend> backends)
    {
        final long wanted = Math.max(1, equivalentBackendCount(backends)) * (long)RING_POINTS_PER_BACKEND;
        return wanted >= DEFAULT_RING_MIN_SIZE ? DEFAULT_RING_MIN_SIZE : (int)Long.highestOneBit(wanted * 2 - 1);
    }

    /**
     * How many equal backends a weighted pool is as fine-grained as: its total weight over its smallest weight,
     * rounded up (Envoy's weighted Maglev fill gives a backend of weight {@code w} about {@code M * w / W}
     * slots, so the lightest needs as many slots as one of {@code W / w} equal backends). The count itself when
     * every weight is equal; 0 for no backends.
     *
     * @param backends the pool's configured backends.
     * @return the equivalent count.
     */
    public static long equivalentBackendCount(final List<Backend> backends)
    {
        long total = 0;
        long lightest = Long.MAX_VALUE;
        for (final Backend backend : backends)
        {
            total += backend.weight();
            lightest = Math.min(lightest, backend.weight());
        }
        return backends.isEmpty() ? 0 : (total + lightest - 1) / lightest;
    }

    private static int smallestTableSizeOfAtLeast(final long wanted)
    {
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
     * The same options with every scaled size fixed for these backends; chosen sizes stay as they are.
     *
     * @param backends the pool's configured backends.
     * @return options whose {@link #maglevTableSize()} and {@link #ringMinSize()} are not {@link #SCALED}.
     */
    public BalancerOptions resolvedFor(final List<Backend> backends)
    {
        if (maglevTableSize != SCALED && ringMinSize != SCALED)
        {
            return this;
        }
        final int ringMin = ringMinSize != SCALED ? ringMinSize : Math.min(ringMaxSize, defaultRingMinSize(backends));
        return new BalancerOptions(maglevTableSize != SCALED ? maglevTableSize : defaultMaglevTableSize(backends),
            ringMin, ringMaxSize, rebuildExecutor);
    }

    /**
     * @param size a prime, at most {@link #MAX_MAGLEV_TABLE_SIZE}.
     * @return a copy with this Maglev table size.
     * @throws IllegalArgumentException when the size is not such a prime.
     */
    public BalancerOptions withMaglevTableSize(final int size)
    {
        if (size < 2 || size > MAX_MAGLEV_TABLE_SIZE || !BigInteger.valueOf(size).isProbablePrime(64))
        {
            throw new IllegalArgumentException("maglev table size " + size + " must be a prime in 2.." + MAX_MAGLEV_TABLE_SIZE);
        }
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
        if (minSize < 1 || maxSize < minSize)
        {
            throw new IllegalArgumentException("ring sizes need 1 <= min <= max, got min " + minSize + " max " + maxSize);
        }
        return new BalancerOptions(maglevTableSize, minSize, maxSize, rebuildExecutor);
    }

    /**
     * @param maxSize most replica points on the ring; the fewest stay as they are (chosen, or scaled with the
     *                pool and then capped at this maximum).
     * @return a copy with this ring maximum.
     * @throws IllegalArgumentException unless {@code 1 <= maxSize} and, for a chosen minimum, {@code min <= maxSize}.
     */
    public BalancerOptions withRingMaxSize(final int maxSize)
    {
        if (maxSize < 1 || (ringMinSize != SCALED && maxSize < ringMinSize))
        {
            throw new IllegalArgumentException("ring sizes need 1 <= min <= max, got min " + ringMinSize + " max " + maxSize);
        }
        return new BalancerOptions(maglevTableSize, ringMinSize, maxSize, rebuildExecutor);
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

    /**
     * @return the chosen Maglev table size, or {@link #SCALED} when each pool's is
     *     {@link #defaultMaglevTableSize(List)}.
     */
    public int maglevTableSize()
    {
        return maglevTableSize;
    }

    /**
     * @return the chosen fewest ring points, or {@link #SCALED} when each pool's is
     *     {@link #defaultRingMinSize(List)}.
     */
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
        return "BalancerOptions{maglevTableSize=" + (maglevTableSize == SCALED ? "scaled" : maglevTableSize) +
            ", ringMinSize=" + (ringMinSize == SCALED ? "scaled" : ringMinSize) +
            ", ringMaxSize=" + ringMaxSize + "}";
    }
}
