package io.gatehouse.balancer;

/**
 * One published state of a {@link BackendPool}: which backends are up and the lookup table. The table may
 * lag the health by one rebuild ({@code tableGeneration < generation}); a pick that lands on a down backend
 * then moves on (see {@link RendezvousOrder}).
 * <p>
 * Immutable; built on the control thread, published with one volatile write, read by event loops.
 */
final class PoolState
{
    final long generation;
    final boolean[] up;
    /** Caller indices of the up backends, canonical order. */
    final int[] healthy;
    final BackendTable table;
    final long tableGeneration;

    PoolState(
        final long generation,
        final boolean[] up,
        final int[] healthy,
        final BackendTable table,
        final long tableGeneration)
    {
        this.generation = generation;
        this.up = up;
        this.healthy = healthy;
        this.table = table;
        this.tableGeneration = tableGeneration;
    }
}
