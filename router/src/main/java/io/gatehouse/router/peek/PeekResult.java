package io.gatehouse.router.peek;

import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekProtocol;
import io.gatehouse.sni.PeekStatus;

/**
 * What one {@link Peek} found in a client's first bytes: the parser's status (bounded by the listener's
 * {@code peek_max_bytes}), the protocol, the name and ALPN offer (as views, through {@link #flight()}),
 * the record version of the client's first TLS record (for a reject alert) and how many bytes it looked
 * at.
 *
 * <p>The name and ALPN views belong to the parser and hold only until that parser parses again (the
 * loop's shared one: the next connection's peek), so a result is read in the same event-loop call that
 * produced it. Thread: the client's event loop. Not thread-safe. Reused: one per {@link Peek}.
 */
public final class PeekResult
{
    private PeekStatus status;
    private FirstFlightParser flight;
    private int recordMajor = 3;
    private int recordMinor = 1;
    private int bytesSeen;

    void set(final PeekStatus peekStatus, final FirstFlightParser parser, final int seen)
    {
        status = peekStatus;
        flight = parser;
        bytesSeen = seen;
    }

    void recordVersion(final int major, final int minor)
    {
        recordMajor = major;
        recordMinor = minor;
    }

    public PeekStatus status()
    {
        return status;
    }

    /** The protocol the parser recognised, or {@code null}. */
    public PeekProtocol protocol()
    {
        return flight == null ? null : flight.protocol();
    }

    /** True when the peek found a name ({@link PeekStatus#OK}): {@link #flight()} holds it. */
    public boolean hasName()
    {
        return status == PeekStatus.OK;
    }

    /** The parser that decided: name, ALPN offer and TLS versions as views (see the class note). */
    public FirstFlightParser flight()
    {
        return flight;
    }

    /** The record version of the client's last first-byte-0x16 flight ({@code 3.1} until one is seen). */
    public int recordMajor()
    {
        return recordMajor;
    }

    public int recordMinor()
    {
        return recordMinor;
    }

    /** The bytes the peek was given (all the client sent so far, after any PROXY header). */
    public int bytesSeen()
    {
        return bytesSeen;
    }
}
