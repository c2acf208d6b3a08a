/**
 * Connecting to a backend: {@link io.gatehouse.router.connect.BackendConnector} picks a backend from the
 * route's pool, opens a channel on the client's own event loop with the route's connect timeout, and on a
 * refused or timed-out attempt asks the pool for the next choice, up to the route's attempt bound. Each
 * attempt is reported to the client's session (for the access log's {@code backends_tried}).
 * Event loop thread only; allocates one connector and one channel per attempt, nothing per byte.
 */
package io.gatehouse.router.connect;
