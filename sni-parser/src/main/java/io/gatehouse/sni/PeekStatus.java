package io.gatehouse.sni;

/**
 * The answer to one {@link FirstFlightParser#parse} call. Every value but {@link #NEED_MORE_DATA} is
 * final for the connection: the parser keeps returning it until {@link FirstFlightParser#reset()}.
 */
public enum PeekStatus
{
    /** A protocol was recognised and a valid name found: route on {@link FirstFlightParser#name()}. */
    OK,
    /** Undecided: call again once more bytes have arrived (with all bytes from the first one). */
    NEED_MORE_DATA,
    /** A protocol was recognised and is well formed, but it carries no name (no SNI, no Host). */
    NO_NAME,
    /** The first bytes are none of the accepted protocols (or an accepted one that is switched off). */
    NOT_RECOGNISED,
    /** A recognised protocol broke its own rules; {@link FirstFlightParser#reason()} says which. */
    MALFORMED,
    /** No decision within the parser's byte budget, or a declared length that cannot fit in it. */
    TOO_LARGE
}
