/**
 * The reliability suite (issue 8): faults injected on loopback (backends killed mid-stream, black-holed,
 * silent or resetting; slow clients held at the peek; file-descriptor exhaustion; reloads and SIGTERM under
 * load) and a corpus of hostile first flights sent through a live router. Each test states a figure (a
 * count, bytes, a time) and checks counted outcomes, lost bytes, leaked buffers and leaked fds.
 *
 * <p>Tests only. Client and backend threads are the test's own; the router under test runs either in
 * this JVM ({@link io.gatehouse.router.Router#start}) or as a child process ({@link
 * io.gatehouse.router.RouterProcessHandle}) where a signal or a resource limit must reach a whole
 * process. Allocation is not a concern here.
 */
package io.gatehouse.router.reliability;
