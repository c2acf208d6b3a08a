package io.gatehouse.sni;

/** The protocol a first flight was recognised as. */
public enum PeekProtocol
{
    /** A TLS ClientHello (or an SSLv2-compatible hello, see {@link FirstFlightParser#sslv2Hello()}). */
    TLS,
    /** An HTTP/1.0 or HTTP/1.1 request head. */
    HTTP1,
    /** HTTP/2 over cleartext with prior knowledge (RFC 9113 s3.3): the preface, then frames. */
    H2C
}
