/**
 * The peek: an incremental parser of a client's first flight (TLS ClientHello, HTTP/1.x request
 * head, h2c preface and first HEADERS) that finds the name to route on. No Netty, no router.
 *
 * <p>{@link io.gatehouse.sni.FirstFlightParser} is the entry point; it dispatches on the first byte to
 * {@code ClientHelloParser}, {@code Http1RequestParser} or {@code H2cPrefaceParser} (with
 * {@code HpackBlockDecoder} and {@code HuffmanCode}), which write into one {@code PeekResult}; names
 * are normalised by {@code HostName}. Wire layouts live in {@code TlsDescriptor} and
 * {@code H2Descriptor}.
 *
 * <p>Threads: a parser belongs to one event loop thread and is not thread-safe; the static tables are
 * immutable. Allocation: parsers allocate only in their constructor, never per parse.
 * {@link io.gatehouse.sni.ClientHelloBuilder} is control-path code (load generation, probes, tests)
 * and allocates freely.
 */
package io.gatehouse.sni;
