/**
 * The admin endpoint; it renders the metrics package's sources and owns the reload interface
 * ({@link io.gatehouse.router.admin.ReloadAction}) that control implements.
 *
 * <p>{@link io.gatehouse.router.admin.AdminServer}: Netty's HTTP/1.1 codec on its own one-thread event loop
 * group ({@code gatehouse-admin}), never a data-path loop, bounded by {@link io.gatehouse.router.admin.AdminLimits}
 * and guarded by {@link io.gatehouse.router.admin.AdminAccess}; per connection an
 * {@link io.gatehouse.router.admin.AdminConnection}; the endpoints in {@link io.gatehouse.router.admin.AdminApi},
 * whose changes ({@code POST /reload}, {@code POST /backends/...}) run on {@code gatehouse-admin-work}.
 *
 * <p>{@code GET /metrics}: {@link io.gatehouse.router.metrics.MetricsRegistry} asks every
 * {@link io.gatehouse.router.metrics.MetricsSource} to write into a fresh {@link io.gatehouse.router.metrics.SnapshotWriter},
 * adds the Prometheus client's JVM and process metrics, and the client library renders text or OpenMetrics.
 * Sources read counters the data path owns (plain or volatile loads), never an event loop's lock.
 *
 * <p>Control path: allocates freely.
 */
package io.gatehouse.router.admin;
