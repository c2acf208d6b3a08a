/**
 * Who may come in, decided before any backend is dialed: source CIDR allow/deny
 * ({@link io.gatehouse.router.policy.CidrSet}, {@link io.gatehouse.router.policy.SourceFilter}; deny wins),
 * per-source concurrent-connection and new-connection-rate limits
 * ({@link io.gatehouse.router.policy.SourceLimiter}), the process-wide connection limit
 * ({@link io.gatehouse.router.policy.ConnectionLimit}), and one rejection counter per reason
 * ({@link io.gatehouse.router.policy.AdmissionPolicy}).
 *
 * <p>Threads: built on the control thread; checked from any event loop, concurrently. CIDR lookups are
 * plain array reads (binary search, no allocation). The limiter keeps one small entry per active source
 * (allocated on a source's first connection, bounded by its table size, evicted once idle) and
 * allocates nothing for a known source; counters are {@link java.util.concurrent.atomic.LongAdder}s (striped,
 * no shared contended write).
 */
package io.gatehouse.router.policy;
