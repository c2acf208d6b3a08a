/**
 * Counters of the data path. Each event loop owns one {@link io.gatehouse.router.metrics.WorkerCounters}
 * (a plain {@code long[]}) and is its only writer: no locks, no atomics, no shared cache line written by
 * two threads. A reader (the admin thread) sums the per-loop arrays; it may see a value a few increments
 * old, never a torn one (64-bit JVM). Per route and per backend counters live in
 * {@link io.gatehouse.router.metrics.RouteCounters}, one slice per event loop. Nothing here allocates after
 * construction.
 */
package io.gatehouse.router.metrics;
