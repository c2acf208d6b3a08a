package io.gatehouse.router.peek;

import io.gatehouse.router.route.ListenerState;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekStatus;
import org.agrona.DirectBuffer;

/**
 * The peek stage: all bytes a client sent so far in, one {@link PeekResult} out. It parses at most the
 * listener's {@code peek_max_bytes} with a {@link FirstFlightParser} and calls a flight that still needs
 * more at that bound {@link PeekStatus#TOO_LARGE}; it decides nothing about routing and calls nothing
 * after itself.
 *
 * <p>The bytes are read where they lie (an Agrona view over the read buffer, no copy). The loop's
 * shared parser is reset and re-fed all bytes for the first {@value #SHARED_PARSER_READS} calls (connections
 * on one loop interleave); a client that needs more gets a parser of its own, which keeps its place, so a
 * client sending one byte per segment costs linear, not quadratic, work.
 *
 * <p>Thread: the client's event loop. Not thread-safe. One per connection (with its result); a call
 * allocates nothing, except the connection's own parser on the fifth.
 */
public final class Peek
{
    /** Calls parsed from scratch by the loop's shared parser before the connection gets a parser of its own. */
    static final int SHARED_PARSER_READS = 4;
    private static final byte TLS_HANDSHAKE = 0x16;

    private final ListenerState state;
    private final int workerIndex;
    private final PeekResult result = new PeekResult();
    private FirstFlightParser ownParser;
    private int parses;

    /** @param workerIndex the index of the loop whose shared parser this connection may use. */
    public Peek(final ListenerState state, final int workerIndex)
    {
        this.state = state;
        this.workerIndex = workerIndex;
    }

    /**
     * Peeks at {@code readable} bytes from {@code offset} (every byte sent so far). The result is reused
     * by the next call.
     */
    public PeekResult peek(final DirectBuffer bytes, final int offset, final int readable)
    {
        final int maxBytes = state.peekMaxBytes();
        final int length = Math.min(readable, maxBytes);
        if (length >= 3 && bytes.getByte(offset) == TLS_HANDSHAKE)
        {
            result.recordVersion(bytes.getByte(offset + 1) & 0xFF, bytes.getByte(offset + 2) & 0xFF);
        }
        if (ownParser == null && ++parses > SHARED_PARSER_READS)
        {
            ownParser = state.newParser();
        }
        final FirstFlightParser parser;
        if (ownParser != null)
        {
            parser = ownParser;
        }
        else
        {
            parser = state.parser(workerIndex);
            parser.reset();
        }
        PeekStatus status = parser.parse(bytes, offset, length);
        if (status == PeekStatus.NEED_MORE_DATA && readable >= maxBytes)
        {
            status = PeekStatus.TOO_LARGE;
        }
        result.set(status, parser, readable);
        return result;
    }

    /** The last call's result. */
    public PeekResult result()
    {
        return result;
    }
}
