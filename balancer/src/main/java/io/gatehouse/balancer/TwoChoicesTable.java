package io.gatehouse.balancer;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Power of two choices (Mitzenmacher 2001) on active connections, weighted: two candidates are drawn from
 * the hash in proportion to weight ({@code reduce(hash, W)} and {@code reduce(mix(hash, SECOND_SALT), W)}
 * located on the cumulative weights, or {@code reduce(hash, H)} directly when all weights are equal; when both land on one backend the second becomes the next one in
 * canonical order), and the one with fewer open connections per unit of weight wins: {@code a} when
 * {@code (active(a) + 1) * w(b) <= (active(b) + 1) * w(a)}. A candidate that went down since the build
 * loses to the other. Pass a hash that differs per connection (the 4-tuple) so that candidates spread.
 * <p>
 * Built on the control thread; immutable apart from the shared counters. Any thread; two volatile reads of
 * the counters and two binary searches, no allocation.
 */
final class TwoChoicesTable extends BackendTable
{
    /** Salt of the second candidate's hash. */
    static final long SECOND_SALT = 0x7032635F73656564L;

    private final BackendSet set;
    private final AtomicLongArray active;
    private final int[] members;
    /** {@code cumulative[i]} is the weight of {@code members[0..i]}. */
    private final long[] cumulative;
    /** All weights equal: a candidate is a plain {@code reduce(hash, H)}. */
    private final boolean uniform;

    private TwoChoicesTable(
        final BackendSet set, final AtomicLongArray active, final int[] members, final long[] cumulative)
    {
        this.set = set;
        this.active = active;
        this.members = members;
        this.cumulative = cumulative;
        boolean uniform = true;
        for (int i = 1; i < members.length; i++)
        {
            uniform &= set.weight[members[i]] == set.weight[members[0]];
        }
        this.uniform = uniform;
    }

    static TwoChoicesTable build(final BackendSet set, final int[] healthy, final AtomicLongArray active)
    {
        final long[] cumulative = new long[healthy.length];
        long total = 0;
        for (int i = 0; i < healthy.length; i++)
        {
            total += set.weight[healthy[i]];
            cumulative[i] = total;
        }
        return new TwoChoicesTable(set, active, healthy.clone(), cumulative);
    }

    @Override
    int first(final long hash, final PoolState state)
    {
        final int[] members = this.members;
        final int count = members.length;
        if (count <= 1)
        {
            return count == 0 ? BackendPool.NO_BACKEND : members[0];
        }
        final int firstPosition = position(hash);
        int secondPosition = position(Hash.mix(hash, SECOND_SALT));
        if (secondPosition == firstPosition)
        {
            secondPosition = firstPosition + 1 == count ? 0 : firstPosition + 1;
        }
        final int a = members[firstPosition];
        final int b = members[secondPosition];
        final boolean[] up = state.up;
        if (!up[a] || !up[b])
        {
            return up[a] ? a : up[b] ? b : BackendPool.NO_BACKEND;
        }
        final long loadA = Math.max(0, active.get(a)) + 1;
        final long loadB = Math.max(0, active.get(b)) + 1;
        return loadA * set.weight[b] <= loadB * set.weight[a] ? a : b;
    }

    /** The candidates' shares; which candidate wins depends on load. */
    @Override
    double[] shares(final int size)
    {
        final double[] shares = new double[size];
        final double total = cumulative.length == 0 ? 1 : cumulative[cumulative.length - 1];
        for (int i = 0; i < members.length; i++)
        {
            shares[members[i]] = set.weight[members[i]] / total;
        }
        return shares;
    }

    private int position(final long hash)
    {
        final long[] cumulative = this.cumulative;
        if (uniform)
        {
            return Hash.reduce(hash, cumulative.length);
        }
        final long point = ((hash >>> 32) * cumulative[cumulative.length - 1]) >>> 32;
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high)
        {
            final int middle = (low + high) >>> 1;
            if (cumulative[middle] <= point)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}
