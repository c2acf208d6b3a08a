package io.gatehouse.router.metrics;

/**
 * Anything with numbers for {@code GET /metrics}: the router's per-event-loop counters, the policy's
 * rejection counts, the health monitor, the access log, the reloader. Called on the admin thread, once
 * per scrape; must not block on the data path (read counters, never take an event loop's lock).
 */
@FunctionalInterface
public interface MetricsSource
{
    void writeTo(SnapshotWriter writer);
}
