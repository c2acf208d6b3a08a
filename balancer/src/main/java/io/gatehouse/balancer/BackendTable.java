package io.gatehouse.balancer;

/**
 * The first choice of one algorithm, built for one healthy set.
 * <p>
 * Implementations are immutable apart from the shared counters they are handed (round robin's rotation,
 * the active-connection counts); {@link #first(long, PoolState)} runs on event loops, allocates nothing and
 * takes no lock.
 */
abstract class BackendTable
{
    /**
     * The first choice for a hash.
     *
     * @param hash  the connection's key.
     * @param state the state this table was published in (health may be newer than the table).
     * @return a caller index, possibly of a backend that has gone down since the build, or
     *     {@link BackendPool#NO_BACKEND} when the table is empty.
     */
    abstract int first(long hash, PoolState state);

    /**
     * The share of first choices each backend gets from this table, assuming uniform hashes. Control path.
     *
     * @param size how many backends the pool holds.
     * @return one fraction per caller index, summing to 1 (all zero for an empty table).
     */
    abstract double[] shares(int size);
}
