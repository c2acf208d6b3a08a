package io.gatehouse.balancer;

/**
 * How a {@link BackendPool} chooses a backend for a new connection.
 */
public enum Algorithm
{
    /**
     * Maglev consistent hashing (Eisenbud et al., NSDI 2016, s3.4): a prime-sized lookup table, one array
     * read per pick, near-perfect balance, little disruption when a backend comes or goes.
     */
    MAGLEV,

    /**
     * Consistent hashing on a ring of replica points (Karger et al.), sized as Envoy's {@code ring_hash}
     * with a minimum and maximum ring size; a pick is a binary search.
     */
    RING_HASH,

    /** Weighted round robin (interleaved), no affinity: the hash is not used for the first choice. */
    ROUND_ROBIN,

    /**
     * Power of two choices on active connections: two candidates drawn from the hash, the one with fewer
     * open connections per unit of weight wins. Needs {@link BackendPool#onConnectionOpened(int)} and
     * {@link BackendPool#onConnectionClosed(int)}.
     */
    LEAST_CONN_P2C;

    /**
     * True when the first choice is a pure function of the hash and the healthy set.
     *
     * @return true for {@link #MAGLEV} and {@link #RING_HASH}.
     */
    public boolean isConsistent()
    {
        return this == MAGLEV || this == RING_HASH;
    }
}
