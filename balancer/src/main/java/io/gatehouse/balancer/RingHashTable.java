package io.gatehouse.balancer;

import java.util.Arrays;

/**
 * A consistent-hash ring (Karger et al. 1997) with Envoy's {@code ring_hash} bounds: at least
 * {@code minSize} points, at most {@code maxSize}. Weights are divided by their greatest common divisor;
 * every unit of weight gets {@code P} points, {@code P} the smallest power of two with
 * {@code P * W >= minSize} ({@code W} the reduced total), halved while {@code P * W > maxSize} (never below
 * one point per unit, so a huge total weight may exceed {@code maxSize}). Rounding {@code P} to a power of
 * two keeps it unchanged when one backend of many comes or goes, so the other backends' points stay put;
 * scaling each backend's count to reach exactly {@code minSize} (Envoy's rule) changes every count when the
 * set changes, and moved 1.9 times the ideal share of keys here (50 backends, 16,384 points). Replica {@code j} of a
 * backend sits at {@code mix(h, j)}, {@code h = Hash.hash(utf8(id))}; list order never matters. A key goes to
 * the first point at or after its hash, wrapping.
 * <p>
 * Points are compared on their top 40 bits; the low 24 bits of each stored entry hold the backend's
 * canonical rank, so equal points order by id and one sorted {@code long[]} carries both.
 * <p>
 * A lookup reads a bucket index (the top bits of the hash, about one point per bucket, at most 2^20
 * buckets) and scans the few points of that bucket: no binary search, no allocation. Built on the control
 * thread; immutable.
 */
final class RingHashTable extends BackendTable
{
    private static final int RANK_BITS = 24;
    private static final long RANK_MASK = (1L << RANK_BITS) - 1;
    private static final int MAX_BUCKET_BITS = 20;

    /** Sorted entries, sign bit flipped so that signed order is the points' unsigned order. */
    private final long[] points;
    private final int[] owners;
    /** {@code bucketStart[b]}: the first point whose top {@code bucketBits} bits are {@code b} or more. */
    private final int[] bucketStart;
    private final int bucketShift;

    private RingHashTable(final long[] points, final int[] owners, final int[] bucketStart)
    {
        this.points = points;
        this.owners = owners;
        this.bucketShift = 64 - bucketBits(points.length);
        this.bucketStart = bucketStart;
    }

    /** About one bucket per point, at most 2^20. */
    private static int bucketBits(final int length)
    {
        return length <= 1 ? 0 : Math.min(MAX_BUCKET_BITS, 64 - Long.numberOfLeadingZeros(length - 1));
    }

    /**
     * Sorts the (sign-flipped) points as {@link Arrays#sort(long[])} would: a counting pass by the top
     * {@link #bucketBits(int)} bits, which for hashed points leaves about one point per bucket, then each
     * bucket sorted on its own (insertion for a few points, {@code Arrays.sort} for more, so a crowded bucket
     * still costs {@code n log n}). A general sort of 2,048 points was most of a two-backend ring's build
     * (about 130 of 180 us here), and 10,000 such routes are built at every start. The counting pass's
     * prefix sums are the lookup's bucket index, so they come back instead of being found again by a scan.
     *
     * @return {@code bucketStart} for these points: entry {@code b} the first point whose top
     *         {@link #bucketBits(int)} bits are {@code b} or more, one more entry holding the length.
     */
    static int[] sortPoints(final long[] points)
    {
        final int length = points.length;
        final int bits = bucketBits(length);
        if (bits == 0)
        {
            return new int[] {0, length}; // at most one point: sorted, one bucket
        }
        final int shift = 64 - bits;
        final int[] start = new int[(1 << bits) + 1];
        for (final long point : points)
        {
            start[(int)((point ^ Long.MIN_VALUE) >>> shift) + 1]++;
        }
        for (int bucket = 1; bucket < start.length; bucket++)
        {
            start[bucket] += start[bucket - 1];
        }
        final int[] next = Arrays.copyOf(start, start.length - 1);
        final long[] sorted = new long[length];
        for (final long point : points)
        {
            sorted[next[(int)((point ^ Long.MIN_VALUE) >>> shift)]++] = point;
        }
        for (int bucket = 0; bucket < start.length - 1; bucket++)
        {
            final int from = start[bucket];
            final int to = start[bucket + 1];
            if (to - from > 32)
            {
                Arrays.sort(sorted, from, to);
                continue;
            }
            for (int i = from + 1; i < to; i++)
            {
                final long point = sorted[i];
                int j = i - 1;
                while (j >= from && sorted[j] > point)
                {
                    sorted[j + 1] = sorted[j];
                    j--;
                }
                sorted[j + 1] = point;
            }
        }
        System.arraycopy(sorted, 0, points, 0, length);
        return start;
    }

    private int bucketOf(final long unsignedPoint)
    {
        return bucketShift == 64 ? 0 : (int)(unsignedPoint >>> bucketShift);
    }

    static RingHashTable build(final BackendSet set, final int[] healthy, final int minSize, final int maxSize)
    {
        final int count = healthy.length;
        if (count == 0)
        {
            return new RingHashTable(new long[0], new int[0], new int[] {0, 0});
        }
        if (set.size() > RANK_MASK)
        {
            throw new IllegalArgumentException("ring hash supports at most " + RANK_MASK + " backends");
        }
        final long divisor = set.weightGcd(healthy);
        long totalWeight = 0;
        for (final int index : healthy)
        {
            totalWeight += set.weight[index] / divisor;
        }
        long pointsPerWeight = Long.highestOneBit(Math.max(1, ceilDiv(minSize, totalWeight)));
        if (pointsPerWeight * totalWeight < minSize)
        {
            pointsPerWeight <<= 1;
        }
        while (pointsPerWeight > 1 && pointsPerWeight * totalWeight > maxSize)
        {
            pointsPerWeight >>= 1;
        }
        final long[] replicas = new long[count];
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            replicas[i] = set.weight[healthy[i]] / divisor * pointsPerWeight;
            total += replicas[i];
        }

        final long[] points = new long[Math.toIntExact(total)];
        int p = 0;
        for (int i = 0; i < count; i++)
        {
            final int index = healthy[i];
            final long h = set.idHash[index];
            final long rank = set.rank[index];
            for (long j = 0; j < replicas[i]; j++)
            {
                points[p++] = ((Hash.mix(h, j) & ~RANK_MASK) | rank) ^ Long.MIN_VALUE;
            }
        }
        final int[] bucketStart = sortPoints(points);
        final int[] owners = new int[points.length];
        for (int i = 0; i < points.length; i++)
        {
            owners[i] = set.byRank[(int)(points[i] & RANK_MASK)];
        }
        return new RingHashTable(points, owners, bucketStart);
    }

    @Override
    int first(final long hash, final PoolState state)
    {
        final long[] points = this.points;
        final int length = points.length;
        if (length == 0)
        {
            return BackendPool.NO_BACKEND;
        }
        final long key = (hash & ~RANK_MASK) ^ Long.MIN_VALUE;
        final int bucket = bucketOf(hash);
        int index = bucketStart[bucket];
        final int end = bucketStart[bucket + 1];
        while (index < end && points[index] < key)
        {
            index++;
        }
        return owners[index == length ? 0 : index];
    }

    /** Each point owns the arc from the previous point (exclusive) up to itself. */
    @Override
    double[] shares(final int size)
    {
        final double[] shares = new double[size];
        final int length = points.length;
        for (int i = 0; i < length; i++)
        {
            final long start = i == 0 ? points[length - 1] & ~RANK_MASK : points[i - 1] & ~RANK_MASK;
            final long end = points[i] & ~RANK_MASK;
            final double arc = length == 1 ? 0x1p64 : unsigned(end - start);
            shares[owners[i]] += arc / 0x1p64;
        }
        return shares;
    }

    private static double unsigned(final long value)
    {
        return value >= 0 ? value : value + 0x1p64;
    }

    int ringSize()
    {
        return points.length;
    }

    private static long ceilDiv(final long dividend, final long divisor)
    {
        return (dividend + divisor - 1) / divisor;
    }
}
