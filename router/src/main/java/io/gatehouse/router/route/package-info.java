/**
 * Routing: the immutable {@link io.gatehouse.router.route.RouteTable} of one listener (exact names and
 * {@code *.suffix} wildcards, optional ALPN conditions, default and server-first routes) and the compiled
 * {@link io.gatehouse.router.route.Route}s it points at. Tables are built on the control thread (they
 * allocate freely there) and published with one volatile write; event loops only read them, and a lookup
 * is plain array reads over the parser's name bytes: no String, no allocation.
 * {@link io.gatehouse.router.route.BackendOverrides} keeps an operator's drain, disable and weight changes
 * (control path) and applies them to each newly compiled route's pool.
 */
package io.gatehouse.router.route;
