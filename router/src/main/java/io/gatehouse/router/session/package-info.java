/**
 * One client connection as one object: {@link io.gatehouse.router.session.Session} holds everything about
 * it (addresses after PROXY, what the peek found, route, backend, both channels, byte counts, times) and
 * ends it once, with one {@link io.gatehouse.router.session.EndReason}; the counters, the access log and
 * the balancer's open-connection counts read it at that end and nowhere else.
 *
 * <p>Each session is owned by the event loop of its client channel and touched only there; other threads
 * reach sessions only through {@link io.gatehouse.router.session.Session#closeMatching} (the loop's task
 * queue). Allocation: the session at accept; when a log is configured, one {@code int[]} of the backends
 * tried at the first connect attempt and an access log entry at the end (with the name and ALPN Strings
 * copied at routing time); nothing per attempt after the first, nothing per byte. A session writes its
 * listener's counters through the per-loop slice it takes at accept.
 */
package io.gatehouse.router.session;
