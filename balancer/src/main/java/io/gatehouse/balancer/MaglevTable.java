package io.gatehouse.balancer;

import java.util.Arrays;

/**
 * A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
 * NSDI 2016, s3.4, Pseudocode 1), weighted as Envoy's {@code maglev_lb.cc}.
 * <p>
 * Each backend {@code i} has a permutation of the {@code M} slots ({@code M} prime) that depends only on
 * its id: {@code offset = h mod M}, {@code skip = mix(h, SKIP_SALT) mod (M - 1) + 1},
 * {@code permutation[j] = (offset + j * skip) mod M}, with {@code h = Hash.hash(utf8(id))}. Backends take
 * turns, in canonical (id) order, claiming the next free slot of their permutation until the table is
 * full. Weights: in turn-round {@code r} a backend of weight {@code w} takes a slot when
 * {@code r * w >= target}, then raises its target by the largest weight, so the heaviest backend claims
 * every round and one of a third its weight every third round.
 * <p>
 * A lookup is {@code entries[reduce(hash, M)]}: one multiply, one array read. Built on the control thread;
 * immutable; read by any thread without a lock.
 */
final class MaglevTable extends BackendTable
{
    /** Salt of the second (skip) hash of a backend id. */
    static final long SKIP_SALT = 0x6D61676C65765F32L;

    private final int[] entries;

    private MaglevTable(final int[] entries)
    {
        this.entries = entries;
    }

    /**
     * Builds the table for the healthy backends.
     *
     * @param set     ids, weights, id hashes.
     * @param healthy caller indices, canonical order.
     * @param size    the prime table size {@code M}.
     * @return the table (empty when nothing is healthy).
     */
    static MaglevTable build(final BackendSet set, final int[] healthy, final int size)
    {
        final int count = healthy.length;
        final int[] offset = new int[count];
        final int[] skip = new int[count];
        final int[] weight = new int[count];
        for (int i = 0; i < count; i++)
        {
            final long h = set.idHash[healthy[i]];
            offset[i] = (int)Long.remainderUnsigned(h, size);
            skip[i] = size == 1 ? 1 : (int)Long.remainderUnsigned(Hash.mix(h, SKIP_SALT), size - 1) + 1;
            weight[i] = set.weight[healthy[i]];
        }
        return new MaglevTable(populate(size, offset, skip, weight, healthy));
    }

    /**
     * Pseudocode 1 of the paper, weighted.
     *
     * @param size   {@code M}, prime.
     * @param offset per backend, {@code 0..M-1}.
     * @param skip   per backend, {@code 1..M-1}.
     * @param weight per backend, at least 1.
     * @param value  what a backend's slots hold.
     * @return the filled table, or an empty array when there is no backend.
     */
    static int[] populate(final int size, final int[] offset, final int[] skip, final int[] weight, final int[] value)
    {
        final int count = offset.length;
        if (count == 0)
        {
            return new int[0];
        }
        final int[] entries = new int[size];
        Arrays.fill(entries, BackendPool.NO_BACKEND);
        final int[] next = offset.clone();
        final long[] target = new long[count];
        int maxWeight = 0;
        for (final int w : weight)
        {
            maxWeight = Math.max(maxWeight, w);
        }

        int filled = 0;
        for (long round = 0; filled < size; round++)
        {
            for (int i = 0; i < count && filled < size; i++)
            {
                if (round * weight[i] < target[i])
                {
                    continue;
                }
                target[i] += maxWeight;
                int slot = next[i];
                final int step = skip[i];
                while (entries[slot] != BackendPool.NO_BACKEND)
                {
                    slot += step;
                    if (slot >= size)
                    {
                        slot -= size;
                    }
                }
                entries[slot] = value[i];
                slot += step;
                next[i] = slot >= size ? slot - size : slot;
                filled++;
            }
        }
        return entries;
    }

    @Override
    int first(final long hash, final PoolState state)
    {
        final int[] entries = this.entries;
        return entries.length == 0 ? BackendPool.NO_BACKEND : entries[Hash.reduce(hash, entries.length)];
    }

    @Override
    double[] shares(final int size)
    {
        final double[] shares = new double[size];
        for (final int entry : entries)
        {
            shares[entry] += 1.0 / entries.length;
        }
        return shares;
    }

    /** A copy of the slots, for tests and reports. */
    int[] entries()
    {
        return entries.clone();
    }
}
