package io.gatehouse.sni;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a parse found, filled by the protocol parsers and read through {@link FirstFlightParser}.
 * Owned by one parser, so by one thread; every array is allocated in the constructor.
 *
 * <p>The ALPN offer is kept whole, however many ids it holds: the list's place in {@link #alpnBuffer}
 * and its count, walked with a cursor, so reading ids in order costs O(1) each and nothing is dropped.
 */
final class PeekResult
{
    /** A host name of at most 253 bytes once one trailing dot is gone (RFC 1035's 255 octets on the wire). */
    static final int MAX_NAME_BYTES = 253;

    final byte[] nameBytes = new byte[MAX_NAME_BYTES + 1];
    final UnsafeBuffer name = new UnsafeBuffer(nameBytes);
    int nameLength;
    boolean nameIsIpLiteral;
    PeekProtocol protocol;
    int alpnCount;
    DirectBuffer alpnBuffer;
    /** Where the first id's length byte is. */
    int alpnListOffset;
    /** The id the cursor stands on and where its length byte is. */
    private int alpnCursorIndex;
    private int alpnCursorOffset;
    int tlsVersions;
    boolean echPresent;
    boolean sslv2Hello;
    String reason;

    void reset()
    {
        nameLength = 0;
        nameIsIpLiteral = false;
        protocol = null;
        alpnCount = 0;
        alpnBuffer = null;
        alpnListOffset = 0;
        alpnCursorIndex = 0;
        alpnCursorOffset = 0;
        tlsVersions = 0;
        echPresent = false;
        sslv2Hello = false;
        reason = null;
    }

    PeekStatus fail(final PeekStatus status, final String reason)
    {
        this.reason = reason;
        return status;
    }

    /** A checked protocol_name_list of {@code count} ids whose first length byte is at {@code listOffset}. */
    void alpnList(final DirectBuffer buffer, final int listOffset, final int count)
    {
        alpnBuffer = buffer;
        alpnListOffset = listOffset;
        alpnCount = count;
        alpnCursorIndex = 0;
        alpnCursorOffset = listOffset;
    }

    /** Where id {@code i}'s length byte is: O(1) for the next id, a walk from the start when going back. */
    int alpnEntry(final int i)
    {
        if (i < alpnCursorIndex)
        {
            alpnCursorIndex = 0;
            alpnCursorOffset = alpnListOffset;
        }
        while (alpnCursorIndex < i)
        {
            alpnCursorOffset += 1 + (alpnBuffer.getByte(alpnCursorOffset) & 0xff);
            alpnCursorIndex++;
        }
        return alpnCursorOffset;
    }
}
