/**
 * The peek: {@link io.gatehouse.router.peek.PeekHandler} reads a new client's first bytes with auto-read
 * off, feeds them to a {@link io.gatehouse.sni.FirstFlightParser} (the loop's shared one, reset per use; a
 * connection of its own after a few reads) until it decides, enforces the byte bound, the peek timeout
 * and the server-first delay, reads and checks a PROXY header from trusted sources, then routes, rejects
 * ({@link io.gatehouse.router.peek.RejectResponse}) or closes, counting every outcome. Event loop thread
 * only; per connection it allocates the handler and, only when the first read did not decide, one buffer
 * that collects the first flight (and a parser after many reads).
 */
package io.gatehouse.router.peek;
