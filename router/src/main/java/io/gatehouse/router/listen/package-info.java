/**
 * Listening, over the event-loop plumbing of {@code loop} (the chosen {@link io.gatehouse.router.loop.Transport}, one
 * {@link io.gatehouse.router.loop.Worker} per event loop with its counters, timers and connections): the
 * {@link io.gatehouse.router.listen.Listener}s that bind one SO_REUSEPORT socket per event
 * loop (io_uring, epoll) or one shared socket (NIO). Binding, closing and snapshot building run on the
 * control thread and allocate freely; accepting runs on the event loop that owns the listening socket and
 * allocates only the per-connection objects (channel, pipeline, peek handler).
 */
package io.gatehouse.router.listen;
