/**
 * The connection-lifecycle proof (issue 11): a close-pattern conformance suite run on every transport and
 * relay mode ({@link io.gatehouse.router.lifecycle.ClosePatternContract}, one subclass per cell), and a
 * check driven by real clients and servers nobody here wrote (wrk, h2load, ab, curl; nginx and HAProxy as
 * backends). Each asserts every byte delivered, every connection ended once with the right access-log
 * {@code end}, and the router's active connections and fds back where they were.
 *
 * <p>Tests only. The router runs as a child process ({@link io.gatehouse.router.lifecycle.RouterChild})
 * so its fds and counters are its own; client and backend threads are the test's. Allocation is not a
 * concern here.
 */
package io.gatehouse.router.lifecycle;
