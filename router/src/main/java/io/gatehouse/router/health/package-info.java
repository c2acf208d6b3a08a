/**
 * Backend health: active probes (TCP connect, or a TLS ClientHello naming the route and expecting a TLS
 * record back) and passive ejection after consecutive connect failures, with exponential backoff.
 * {@link io.gatehouse.router.health.HealthMonitor} owns one thread, {@code gatehouse-health}, which keeps
 * every state and calls {@link io.gatehouse.router.health.HealthListener} (the balancer's
 * {@code BackendPool.markUp/markDown}, which rebuild tables) on changes; probes block on a small pool of
 * {@code gatehouse-probe} threads. Never an event loop: the data path only reports connect outcomes through
 * {@link io.gatehouse.router.health.RouteHealth#onConnectFailure(int)} and
 * {@link io.gatehouse.router.health.RouteHealth#onConnectSuccess(int)}, which are one atomic operation each
 * (and none at all for a success after a success) and allocate nothing. Everything else allocates freely.
 */
package io.gatehouse.router.health;
