package io.gatehouse.balancer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Interleaved weighted round robin (as LVS {@code ip_vs_wrr}): weights are divided by their greatest common
 * divisor, then round {@code r} of the sequence holds, in canonical order, every backend whose weight
 * exceeds {@code r}. Backends of weight 3 and 1 give {@code a b a a}. The sequence is capped at
 * {@link #MAX_LENGTH} entries (weights scaled down, each backend kept at least once).
 * <p>
 * A pick is one atomic add on the pool's shared rotation counter (a {@code lock xadd}, not a CAS loop) and
 * one array read; when that entry went down since the build, the next entries are tried. Any thread.
 */
final class RotationTable extends BackendTable
{
    static final int MAX_LENGTH = 1 << 20;

    private final int[] sequence;
    private final AtomicLong rotation;

    private RotationTable(final int[] sequence, final AtomicLong rotation)
    {
        this.sequence = sequence;
        this.rotation = rotation;
    }

    static RotationTable build(final BackendSet set, final int[] healthy, final AtomicLong rotation)
    {
        final int count = healthy.length;
        final long[] weight = new long[count];
        final long divisor = set.weightGcd(healthy);
        for (int i = 0; i < count; i++)
        {
            weight[i] = set.weight[healthy[i]];
        }
        long total = 0;
        long maxWeight = 0;
        for (int i = 0; i < count; i++)
        {
            weight[i] /= divisor;
            total += weight[i];
        }
        if (total > MAX_LENGTH)
        {
            final long unscaledTotal = total;
            total = 0;
            for (int i = 0; i < count; i++)
            {
                weight[i] = Math.max(1, weight[i] * (MAX_LENGTH - count) / unscaledTotal);
                total += weight[i];
            }
        }
        for (final long w : weight)
        {
            maxWeight = Math.max(maxWeight, w);
        }
        final int[] sequence = new int[(int)total];
        int length = 0;
        for (long round = 0; round < maxWeight; round++)
        {
            for (int i = 0; i < count; i++)
            {
                if (weight[i] > round)
                {
                    sequence[length++] = healthy[i];
                }
            }
        }
        return new RotationTable(sequence, rotation);
    }

    @Override
    int first(final long hash, final PoolState state)
    {
        final int[] sequence = this.sequence;
        final int length = sequence.length;
        if (length == 0)
        {
            return BackendPool.NO_BACKEND;
        }
        final boolean[] up = state.up;
        final int start = (int)Long.remainderUnsigned(rotation.getAndIncrement(), length);
        for (int step = 0; step < length; step++)
        {
            final int position = start + step;
            final int index = sequence[position >= length ? position - length : position];
            if (up[index])
            {
                return index;
            }
        }
        return BackendPool.NO_BACKEND;
    }

    @Override
    double[] shares(final int size)
    {
        final double[] shares = new double[size];
        for (final int entry : sequence)
        {
            shares[entry] += 1.0 / sequence.length;
        }
        return shares;
    }

    int length()
    {
        return sequence.length;
    }
}
