/**
 * The peek stage: {@link io.gatehouse.router.peek.Peek} takes all bytes a client sent so far (an Agrona
 * view over the read buffer, parsed in place) and returns a {@link io.gatehouse.router.peek.PeekResult}:
 * the {@link io.gatehouse.sni.FirstFlightParser}'s status bounded by {@code peek_max_bytes}, protocol,
 * name and ALPN as views, the client's TLS record version, the bytes seen. It routes nothing and calls no
 * other stage ({@code sequence} does). Event loop thread only; per connection it allocates the stage and
 * its result (and a parser of its own after four reads), per call nothing. No Netty.
 */
package io.gatehouse.router.peek;
