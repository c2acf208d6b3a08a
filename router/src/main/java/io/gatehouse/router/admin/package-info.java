/**
 * The admin endpoint: a small HTTP server ({@link io.gatehouse.router.admin.AdminServer}, JDK
 * {@code com.sun.net.httpserver}) on its own single thread, never an event loop. {@code GET /metrics}
 * renders every registered {@link io.gatehouse.router.admin.MetricsSource} through a
 * {@link io.gatehouse.router.admin.PrometheusWriter}; {@code POST /reload} runs a reload and answers with
 * its outcome. Control path: allocates freely; sources are read with plain/volatile loads of counters the
 * data path owns.
 */
package io.gatehouse.router.admin;
