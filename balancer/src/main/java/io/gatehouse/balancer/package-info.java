/**
 * Backend choice for a new connection: {@link io.gatehouse.balancer.BackendPool} with Maglev, ring hash,
 * weighted round robin and power of two choices, and {@link io.gatehouse.balancer.Hash}, the stable
 * xxHash64 the keys are made with. No Netty, no router.
 * <p>
 * Threads: tables are immutable snapshots built on a control thread (pool creation, {@code markDown},
 * {@code markUp}) and published with one volatile write; event loops read them with plain array reads.
 * <p>
 * Allocation: building a table allocates (control path); a pick, a hash and the connection callbacks do
 * not allocate, take no lock and do no CAS (round robin and the connection counters use one atomic add).
 */
package io.gatehouse.balancer;
