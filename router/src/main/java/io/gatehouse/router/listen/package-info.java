/**
 * Listening and the event loops: the chosen {@link io.gatehouse.router.listen.Transport}, one
 * {@link io.gatehouse.router.listen.Worker} per event loop (its counters, its timers, the connections it
 * owns), and the {@link io.gatehouse.router.listen.Listener}s that bind one SO_REUSEPORT socket per event
 * loop (io_uring, epoll) or one shared socket (NIO). Binding, closing and snapshot building run on the
 * control thread and allocate freely; accepting runs on the event loop that owns the listening socket and
 * allocates only the per-connection objects (channel, pipeline, peek handler).
 */
package io.gatehouse.router.listen;
