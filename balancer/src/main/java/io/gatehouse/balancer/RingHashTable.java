package io.gatehouse.balancer;

import java.util.Arrays;

/**
 * A consistent-hash ring (Karger et al. 1997), sized as Envoy's {@code ring_hash_lb.cc}: every backend gets
 * replica points in proportion to its weight, the lightest at least {@code ceil(minSize * wmin / W)}, the
 * ring capped near {@code maxSize} (each backend keeps at least one point). Replica {@code j} of a backend
 * sits at {@code mix(h, j)}, {@code h = Hash.hash(utf8(id))}: the points of a backend depend only on its
 * id, its weight and the set's weight bounds, never on list order. A key goes to the first point at or after
 * its hash, wrapping.
 * <p>
 * Points are compared on their top 40 bits; the low 24 bits of each stored entry hold the backend's
 * canonical rank, so equal points order by id and one sorted {@code long[]} carries both.
 * <p>
 * Built on the control thread; immutable; a lookup is a binary search, no allocation.
 */
final class RingHashTable extends BackendTable
{
    private static final int RANK_BITS = 24;
    private static final long RANK_MASK = (1L << RANK_BITS) - 1;

    /** Sorted entries, sign bit flipped so that signed order is the points' unsigned order. */
    private final long[] points;
    private final int[] owners;

    private RingHashTable(final long[] points, final int[] owners)
    {
        this.points = points;
        this.owners = owners;
    }

    static RingHashTable build(final BackendSet set, final int[] healthy, final int minSize, final int maxSize)
    {
        final int count = healthy.length;
        if (count == 0)
        {
            return new RingHashTable(new long[0], new int[0]);
        }
        if (set.size() > RANK_MASK)
        {
            throw new IllegalArgumentException("ring hash supports at most " + RANK_MASK + " backends");
        }
        long totalWeight = 0;
        int minWeight = Integer.MAX_VALUE;
        for (final int index : healthy)
        {
            totalWeight += set.weight[index];
            minWeight = Math.min(minWeight, set.weight[index]);
        }
        final long lightest = Math.max(1, ceilDiv((long)minSize * minWeight, totalWeight));
        final long[] replicas = new long[count];
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            replicas[i] = ceilDiv(lightest * set.weight[healthy[i]], minWeight);
            total += replicas[i];
        }
        if (total > maxSize)
        {
            final long scaledTotal = total;
            total = 0;
            for (int i = 0; i < count; i++)
            {
                replicas[i] = Math.max(1, replicas[i] * maxSize / scaledTotal);
                total += replicas[i];
            }
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
        Arrays.sort(points);
        final int[] owners = new int[points.length];
        for (int i = 0; i < points.length; i++)
        {
            owners[i] = set.byRank[(int)(points[i] & RANK_MASK)];
        }
        return new RingHashTable(points, owners);
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
        int low = 0;
        int high = length;
        while (low < high)
        {
            final int middle = (low + high) >>> 1;
            if (points[middle] < key)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return owners[low == length ? 0 : low];
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
