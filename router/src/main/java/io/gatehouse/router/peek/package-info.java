/**
 * The peek: {@link io.gatehouse.router.peek.PeekHandler} reads a new client's first bytes with auto-read
 * off, feeds them to the event loop's {@link io.gatehouse.sni.FirstFlightParser} until it decides, enforces
 * the byte bound, the peek timeout and the server-first delay, then routes, rejects
 * ({@link io.gatehouse.router.peek.RejectResponse}) or closes, counting every outcome. Event loop thread
 * only; per connection it allocates the handler and, only when the first read did not decide, one buffer
 * that collects the first flight.
 */
package io.gatehouse.router.peek;
