/**
 * The dispatch stage: {@link io.gatehouse.router.dispatch.Dispatch} turns a peek's result, the listener's
 * routing snapshot and the client's address into a {@link io.gatehouse.router.dispatch.Decision}: a route
 * (name, ALPN, default, server-first; checked against the route's own {@code allow}/{@code deny}) with the
 * backend hash key, a reject with the protocol whose bytes {@link io.gatehouse.router.dispatch.RejectResponse}
 * writes, or a close with its {@link io.gatehouse.router.session.EndReason}; the counters to record come
 * with it. {@link io.gatehouse.router.dispatch.ProxyHeaderOut} encodes the PROXY header a route wants.
 * Event loop thread only; a decision allocates nothing (the decision object is reused per connection),
 * the reject bytes and the PROXY header are the small buffers they return.
 */
package io.gatehouse.router.dispatch;
