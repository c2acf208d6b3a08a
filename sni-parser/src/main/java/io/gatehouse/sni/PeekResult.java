package io.gatehouse.sni;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a parse found, filled by the protocol parsers and read through {@link FirstFlightParser}.
 * Owned by one parser, so by one thread; every array is allocated in the constructor.
 */
final class PeekResult
{
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_ALPN = 32;

    final byte[] nameBytes = new byte[MAX_NAME_BYTES + 1];
    final UnsafeBuffer name = new UnsafeBuffer(nameBytes);
    final int[] alpnOffsets = new int[MAX_ALPN];
    final int[] alpnLengths = new int[MAX_ALPN];
    int nameLength;
    boolean nameIsIpLiteral;
    PeekProtocol protocol;
    int alpnCount;
    DirectBuffer alpnBuffer;
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

    void addAlpn(final int offset, final int length)
    {
        if (alpnCount < MAX_ALPN)
        {
            alpnOffsets[alpnCount] = offset;
            alpnLengths[alpnCount] = length;
            alpnCount++;
        }
    }
}
