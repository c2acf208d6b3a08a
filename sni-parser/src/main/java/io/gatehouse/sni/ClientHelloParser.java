package io.gatehouse.sni;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.gatehouse.sni.TlsDescriptor.*;

/**
 * The TLS side of the peek: walks TLS records as they arrive, reassembles the ClientHello when it
 * spans several records, then reads it once, checking every length.
 *
 * <p>Incremental and linear: {@link #recordOffset} remembers the next record header to look at, so a
 * call only looks at records completed since the last call. A ClientHello inside its first record is
 * read in place (no copy); one spread over records is copied, record by record, into the parser's scratch
 * buffer. The hello is read only once it is complete.
 *
 * <p>One per {@link FirstFlightParser}: single thread, allocates nothing after construction.
 */
final class ClientHelloParser
{
    /** One bit per extension type from 63 up (a type's bit is {@code type & 63} of word {@code type >>> 6}); clear between hellos. */
    private final long[] highTypesSeen = new long[65536 / 64];
    private final MutableDirectBuffer scratch;
    private final int maxBytes;
    private final PeekResult result;
    private int recordOffset;
    private int handshakeBytes;
    private int helloLength;

    ClientHelloParser(final int maxBytes, final MutableDirectBuffer scratch, final PeekResult result)
    {
        this.maxBytes = maxBytes;
        this.result = result;
        this.scratch = scratch;
        reset();
    }

    void reset()
    {
        recordOffset = 0;
        handshakeBytes = 0;
        helloLength = -1;
    }

    /** buffer[offset, offset+length) holds the flight from its first byte; length is at most maxBytes. */
    PeekStatus parse(final DirectBuffer buffer, final int offset, final int length)
    {
        while (length - recordOffset >= RECORD_HEADER_BYTES)
        {
            final int header = offset + recordOffset;
            if (buffer.getByte(header + RECORD_TYPE_OFFSET) != CONTENT_TYPE_HANDSHAKE)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_RECORD_TYPE);
            }
            if (buffer.getByte(header + RECORD_VERSION_MAJOR_OFFSET) != 3)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_RECORD_VERSION);
            }
            final int recordLength = uint16(buffer, header + RECORD_LENGTH_OFFSET);
            if (recordLength == 0)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_RECORD_EMPTY);
            }
            if (recordLength > MAX_PLAINTEXT_BYTES)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_RECORD_LENGTH);
            }
            if (maxBytes - recordOffset - RECORD_HEADER_BYTES < recordLength)
            {
                return result.fail(PeekStatus.TOO_LARGE, PeekReason.TLS_RECORD_TOO_LARGE);
            }
            if (length - recordOffset - RECORD_HEADER_BYTES < recordLength)
            {
                return PeekStatus.NEED_MORE_DATA;
            }
            final int fragment = header + RECORD_HEADER_BYTES;
            recordOffset += RECORD_HEADER_BYTES + recordLength;

            if (handshakeBytes == 0 && recordLength >= HANDSHAKE_HEADER_BYTES)
            {
                final PeekStatus status = readHandshakeHeader(buffer, fragment);
                if (status != PeekStatus.NEED_MORE_DATA)
                {
                    return status;
                }
                if (recordLength - HANDSHAKE_HEADER_BYTES >= helloLength)
                {
                    return parseHello(buffer, fragment + HANDSHAKE_HEADER_BYTES, helloLength);
                }
            }
            scratch.putBytes(handshakeBytes, buffer, fragment, recordLength);
            handshakeBytes += recordLength;
            if (helloLength < 0 && handshakeBytes >= HANDSHAKE_HEADER_BYTES)
            {
                final PeekStatus status = readHandshakeHeader(scratch, 0);
                if (status != PeekStatus.NEED_MORE_DATA)
                {
                    return status;
                }
            }
            if (helloLength >= 0 && handshakeBytes - HANDSHAKE_HEADER_BYTES >= helloLength)
            {
                return parseHello(scratch, HANDSHAKE_HEADER_BYTES, helloLength);
            }
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus readHandshakeHeader(final DirectBuffer buffer, final int index)
    {
        if (buffer.getByte(index) != HANDSHAKE_TYPE_CLIENT_HELLO)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_HANDSHAKE_TYPE);
        }
        helloLength = ((buffer.getByte(index + 1) & 0xff) << 16) | uint16(buffer, index + 2);
        if (maxBytes - RECORD_HEADER_BYTES - HANDSHAKE_HEADER_BYTES < helloLength)
        {
            return result.fail(PeekStatus.TOO_LARGE, PeekReason.TLS_HANDSHAKE_TOO_LARGE);
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus parseHello(final DirectBuffer buffer, final int start, final int length)
    {
        final int end = start + length;
        if (length < SESSION_ID_LENGTH_OFFSET + 1)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_HELLO_TRUNCATED);
        }
        final int legacyVersion = uint16(buffer, start);
        int p = start + SESSION_ID_LENGTH_OFFSET;

        final int sessionIdLength = buffer.getByte(p) & 0xff;
        p++;
        if (sessionIdLength > MAX_SESSION_ID_BYTES || end - p < sessionIdLength)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_SESSION_ID);
        }
        p += sessionIdLength;

        if (end - p < 2)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_CIPHER_SUITES);
        }
        final int cipherSuitesLength = uint16(buffer, p);
        p += 2;
        if (cipherSuitesLength < 2 || (cipherSuitesLength & 1) != 0 || end - p < cipherSuitesLength)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_CIPHER_SUITES);
        }
        p += cipherSuitesLength;

        if (end - p < 1)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_COMPRESSION);
        }
        final int compressionLength = buffer.getByte(p) & 0xff;
        p++;
        if (compressionLength < 1 || end - p < compressionLength)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_COMPRESSION);
        }
        p += compressionLength;

        if (p == end)
        {
            result.tlsVersions = versionBit(legacyVersion);
            return result.fail(PeekStatus.NO_NAME, PeekReason.TLS_NO_EXTENSIONS);
        }
        if (end - p < 2 || uint16(buffer, p) != end - p - 2)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_EXTENSIONS_LENGTH);
        }
        p += 2;
        final int extensionsStart = p;

        long extensionsSeen = 0;
        int nameOffset = -1;
        int nameLength = 0;
        boolean sniPresent = false;
        boolean versionsPresent = false;
        while (p < end)
        {
            if (end - p < 4)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_LENGTH);
            }
            final int type = uint16(buffer, p);
            final int extensionLength = uint16(buffer, p + 2);
            p += 4;
            if (end - p < extensionLength)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_LENGTH);
            }
            final long typeBit = typeBit(type);
            if ((extensionsSeen & typeBit) != 0)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_DUPLICATE);
            }
            extensionsSeen |= typeBit;
            switch (type)
            {
                case EXT_SERVER_NAME:
                {
                    sniPresent = true;
                    final long found = readServerName(buffer, p, extensionLength);
                    if (found < -1)
                    {
                        return PeekStatus.MALFORMED;
                    }
                    if (found >= 0)
                    {
                        nameOffset = (int)(found >>> 32);
                        nameLength = (int)found;
                    }
                    break;
                }
                case EXT_ALPN:
                    if (!readAlpn(buffer, p, extensionLength))
                    {
                        return PeekStatus.MALFORMED;
                    }
                    break;
                case EXT_SUPPORTED_VERSIONS:
                    versionsPresent = true;
                    if (!readSupportedVersions(buffer, p, extensionLength))
                    {
                        return PeekStatus.MALFORMED;
                    }
                    break;
                case EXT_ENCRYPTED_CLIENT_HELLO:
                    result.echPresent = true;
                    break;
                default:
                    break;
            }
            p += extensionLength;
        }
        if (duplicateHighType(buffer, extensionsStart, end))
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_DUPLICATE);
        }
        if (!versionsPresent)
        {
            result.tlsVersions = versionBit(legacyVersion);
        }
        if (nameOffset < 0)
        {
            return result.fail(PeekStatus.NO_NAME, sniPresent ? PeekReason.TLS_NO_HOST_NAME : PeekReason.TLS_NO_SNI);
        }
        return HostName.normaliseHost(buffer, nameOffset, nameLength, result);
    }

    /**
     * True when an extension type of 63 or more appears twice in the (already length-checked) extensions
     * in [start, end) (RFC 8446 s4.2: no type more than once). Types below 63 and ECH were checked on the
     * way with one long; the rest need {@link #highTypesSeen}, which is left clear whatever the answer.
     */
    private boolean duplicateHighType(final DirectBuffer buffer, final int start, final int end)
    {
        int stop = end;
        for (int p = start; p < end; p += EXTENSION_HEADER_BYTES + uint16(buffer, p + 2))
        {
            final int type = uint16(buffer, p);
            if (type >= 63)
            {
                final long bit = 1L << (type & 63);
                if ((highTypesSeen[type >>> 6] & bit) != 0)
                {
                    stop = p;
                    break;
                }
                highTypesSeen[type >>> 6] |= bit;
            }
        }
        for (int p = start; p < stop; p += EXTENSION_HEADER_BYTES + uint16(buffer, p + 2))
        {
            final int type = uint16(buffer, p);
            if (type >= 63)
            {
                highTypesSeen[type >>> 6] &= ~(1L << (type & 63));
            }
        }
        return stop != end;
    }

    /** A bit per extension type checked for duplicates on the way (types below 63, and ECH); 0 for the rest. */
    private static long typeBit(final int type)
    {
        if (type < 63)
        {
            return 1L << type;
        }
        return type == EXT_ENCRYPTED_CLIENT_HELLO ? 1L << 63 : 0;
    }

    /** @return (offset << 32 | length) of the host_name, -1 when none, -2 when malformed. */
    private long readServerName(final DirectBuffer buffer, final int start, final int length)
    {
        if (length < 2 || uint16(buffer, start) != length - 2 || length == 2)
        {
            result.reason = PeekReason.TLS_SNI_LENGTH;
            return -2;
        }
        final int end = start + length;
        int p = start + 2;
        long found = -1;
        while (p < end)
        {
            if (end - p < 3)
            {
                result.reason = PeekReason.TLS_SNI_LENGTH;
                return -2;
            }
            final int nameType = buffer.getByte(p) & 0xff;
            final int nameLength = uint16(buffer, p + 1);
            p += 3;
            if (end - p < nameLength)
            {
                result.reason = PeekReason.TLS_SNI_LENGTH;
                return -2;
            }
            if (nameType == SNI_HOST_NAME)
            {
                if (found >= 0)
                {
                    result.reason = PeekReason.TLS_SNI_DUPLICATE;
                    return -2;
                }
                if (nameLength == 0)
                {
                    result.reason = PeekReason.TLS_SNI_EMPTY;
                    return -2;
                }
                found = ((long)p << 32) | nameLength;
            }
            p += nameLength;
        }
        return found;
    }

    private boolean readAlpn(final DirectBuffer buffer, final int start, final int length)
    {
        if (length < 2 || uint16(buffer, start) != length - 2 || length == 2)
        {
            result.reason = PeekReason.TLS_ALPN_LENGTH;
            return false;
        }
        final int end = start + length;
        int p = start + 2;
        int count = 0;
        while (p < end)
        {
            final int protocolLength = buffer.getByte(p) & 0xff;
            p++;
            if (protocolLength == 0)
            {
                result.reason = PeekReason.TLS_ALPN_EMPTY;
                return false;
            }
            if (end - p < protocolLength)
            {
                result.reason = PeekReason.TLS_ALPN_LENGTH;
                return false;
            }
            count++;
            p += protocolLength;
        }
        result.alpnList(buffer, start + 2, count);
        return true;
    }

    private boolean readSupportedVersions(final DirectBuffer buffer, final int start, final int length)
    {
        if (length < 3 || (buffer.getByte(start) & 0xff) != length - 1 || ((length - 1) & 1) != 0)
        {
            result.reason = PeekReason.TLS_VERSIONS_LENGTH;
            return false;
        }
        int versions = 0;
        for (int p = start + 1, end = start + length; p < end; p += 2)
        {
            versions |= versionBit(uint16(buffer, p));
        }
        result.tlsVersions = versions;
        return true;
    }

    static int versionBit(final int version)
    {
        return version >= VERSION_TLS_1_0 && version <= VERSION_TLS_1_3 ? 1 << (version - VERSION_TLS_1_0) : 0;
    }

    private static int uint16(final DirectBuffer buffer, final int index)
    {
        return buffer.getShort(index, ByteOrder.BIG_ENDIAN) & 0xffff;
    }
}
