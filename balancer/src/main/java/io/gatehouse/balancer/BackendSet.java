package io.gatehouse.balancer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The fixed facts about a pool's backends that every table is built from: ids, weights, id hashes and the
 * canonical order (ids sorted by {@link String#compareTo}). Tables iterate in canonical order so that the
 * order of the caller's list never changes a result; they store the caller's indices.
 * <p>
 * Immutable; built on the control thread, read from any thread.
 */
final class BackendSet
{
    final Backend[] backends;
    final long[] idHash;
    final int[] weight;
    /** Caller index to canonical position. */
    final int[] rank;
    /** Canonical position to caller index. */
    final int[] byRank;

    BackendSet(final List<Backend> list)
    {
        final int size = list.size();
        backends = list.toArray(new Backend[0]);
        idHash = new long[size];
        weight = new int[size];
        rank = new int[size];
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < size; i++)
        {
            final Backend backend = backends[i];
            if (backend == null)
            {
                throw new IllegalArgumentException("backend " + i + " is null");
            }
            if (!seen.add(backend.id()))
            {
                throw new IllegalArgumentException("duplicate backend id " + backend.id());
            }
            idHash[i] = Hash.hash(backend.id().getBytes(StandardCharsets.UTF_8));
            weight[i] = backend.weight();
        }
        byRank = IntStream.range(0, size)
            .boxed()
            .sorted(Comparator.comparing(i -> backends[i].id()))
            .mapToInt(Integer::intValue)
            .toArray();
        for (int r = 0; r < size; r++)
        {
            rank[byRank[r]] = r;
        }
    }

    int size()
    {
        return backends.length;
    }

    /**
     * The caller indices of the backends marked up, in canonical order.
     */
    int[] healthyInCanonicalOrder(final boolean[] up)
    {
        final int[] healthy = new int[size()];
        int count = 0;
        for (final int index : byRank)
        {
            if (up[index])
            {
                healthy[count++] = index;
            }
        }
        return Arrays.copyOf(healthy, count);
    }

    /** The greatest common divisor of the weights of {@code indices} (0 when there are none). */
    long weightGcd(final int[] indices)
    {
        long divisor = 0;
        for (final int index : indices)
        {
            long x = divisor;
            long y = weight[index];
            while (y != 0)
            {
                final long t = x % y;
                x = y;
                y = t;
            }
            divisor = x;
        }
        return divisor;
    }
}
