package io.gatehouse.balancer;

/**
 * One published state of a {@link BackendPool}: the backends with their weights, which are healthy, which
 * the operator lets take new connections, which are therefore up (both), and the lookup table. The table may
 * lag by one rebuild ({@code tableGeneration < generation}); a pick that lands on a backend no longer up
 * then moves on (see {@link RendezvousOrder}).
 * <p>
 * Immutable; built on the control thread, published with one volatile write, read by event loops.
 */
final class PoolState
{
    final long generation;
    final BackendSet set;
    /** Health checks' and passive ejection's view. */
    final boolean[] health;
    /** The operator's: false while drained or disabled. */
    final boolean[] accepting;
    /** {@code health && accepting}: a candidate for new connections. */
    final boolean[] up;
    /** Caller indices of the up backends, canonical order. */
    final int[] healthy;
    final BackendTable table;
    final long tableGeneration;

    PoolState(
        final long generation,
        final BackendSet set,
        final boolean[] health,
        final boolean[] accepting,
        final boolean[] up,
        final int[] healthy,
        final BackendTable table,
        final long tableGeneration)
    {
        this.generation = generation;
        this.set = set;
        this.health = health;
        this.accepting = accepting;
        this.up = up;
        this.healthy = healthy;
        this.table = table;
        this.tableGeneration = tableGeneration;
    }
}
