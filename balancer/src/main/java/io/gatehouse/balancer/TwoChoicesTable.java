package io.gatehouse.balancer;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Power of two choices (Mitzenmacher 2001) on active connections: candidates {@code a} and {@code b}, two
 * different healthy backends drawn from the hash ({@code reduce(hash, H)} and
 * {@code reduce(mix(hash, SECOND_SALT), H - 1)}, shifted past the first), and the one with fewer open
 * connections per unit of weight wins: {@code a} when {@code (active(a) + 1) * w(b) <= (active(b) + 1) * w(a)}.
 * Pass a hash that differs per connection (the 4-tuple) so that candidates spread.
 * <p>
 * Reads the state's healthy list, which is always current, so it needs no rebuild. Any thread; two volatile
 * reads of the shared counters, no allocation.
 */
final class TwoChoicesTable extends BackendTable
{
    /** Salt of the second candidate's hash. */
    static final long SECOND_SALT = 0x7032635F73656564L;

    private final BackendSet set;
    private final AtomicLongArray active;

    TwoChoicesTable(final BackendSet set, final AtomicLongArray active)
    {
        this.set = set;
        this.active = active;
    }

    @Override
    int first(final long hash, final PoolState state)
    {
        final int[] healthy = state.healthy;
        final int count = healthy.length;
        if (count <= 1)
        {
            return count == 0 ? BackendPool.NO_BACKEND : healthy[0];
        }
        final int firstPosition = Hash.reduce(hash, count);
        int secondPosition = Hash.reduce(Hash.mix(hash, SECOND_SALT), count - 1);
        if (secondPosition >= firstPosition)
        {
            secondPosition++;
        }
        final int a = healthy[firstPosition];
        final int b = healthy[secondPosition];
        final long loadA = Math.max(0, active.get(a)) + 1;
        final long loadB = Math.max(0, active.get(b)) + 1;
        return loadA * set.weight[b] <= loadB * set.weight[a] ? a : b;
    }
}
