/**
 * The router: {@link io.gatehouse.router.Router} starts the event loops and listeners from a
 * {@link io.gatehouse.router.config.GatehouseConfig}, reloads and drains. The data path reads in package
 * order: listen, peek, route, connect, relay (metrics counts all of it). This package runs on the control
 * thread and allocates freely.
 */
package io.gatehouse.router;
