package io.gatehouse.router.proxy;

/** The answer to one {@link ProxyHeaderParser#parse} call. */
public enum ProxyHeaderStatus
{
    /** A whole, valid header: the client's bytes start {@link ProxyHeaderParser#headerLength()} bytes in. */
    OK,
    /** A header has begun (or nothing has arrived): call again with all bytes so far once more arrive. */
    NEED_MORE_DATA,
    /** The first bytes are neither a v1 nor a v2 signature: no PROXY header was sent. */
    NOT_PROXY,
    /** A header began and broke the protocol's rules; {@link ProxyHeaderParser#reason()} says which. */
    MALFORMED,
    /** A v2 header declares more bytes than the parser's bound. */
    TOO_LARGE
}
