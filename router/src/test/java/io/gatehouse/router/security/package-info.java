/**
 * The security regression suite (issue 12): each attack found on a live router is replayed over real
 * sockets against a router started in this JVM, with real clients (the JDK's TLS client, openssl, curl,
 * raw first flights) and real backends on loopback, and must meet the refusal the issue asks for. Each
 * test is one row of {@code bench-results/security.md}.
 *
 * <p>Tests only. Client and backend threads are the test's own; allocation is not a concern here.
 */
package io.gatehouse.router.security;
