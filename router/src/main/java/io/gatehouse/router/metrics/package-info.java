/**
 * Counters of the data path. Each event loop owns one {@link io.gatehouse.router.metrics.WorkerCounters}
 * (a {@code long[]}) and is its only writer: a plain read of its own slot and an ordered (release) store
 * of the new value, as Agrona's {@code AtomicCounter.incrementOrdered}; no locks, no CAS, no shared cache
 * line written by two threads. A reader (the admin thread) sums the per-loop arrays with acquire loads; it
 * may see a value a few increments old, never a torn or reordered one. Per listener counters (accepted,
 * closed, open, bytes, the durations of unrouted connections) live in
 * {@link io.gatehouse.router.metrics.ListenerCounters}, per route and per backend counters in
 * {@link io.gatehouse.router.metrics.RouteCounters}, one slice per event loop each. Nothing here allocates after
 * construction.
 */
package io.gatehouse.router.metrics;
