package io.gatehouse.sni;

import org.agrona.DirectBuffer;

/**
 * Normalises a name into {@link PeekResult#name}: ASCII lower case, one trailing dot removed; letters,
 * digits, '-', '.', '_' only; labels 1..63 bytes; at most 253 bytes (the config's limit too). An IPv4 dotted quad, or an IPv6
 * literal in brackets (HTTP authorities only), is marked as an IP literal and returned (IPv6 without
 * its brackets). An empty name or any broken rule is {@link PeekStatus#MALFORMED}.
 *
 * <p>Stateless; called on the parser's thread; allocates nothing.
 */
final class HostName
{
    private static final int MAX_LABEL_BYTES = 63;
    private static final int MAX_IPV6_BYTES = 45;
    private static final int MAX_PORT_DIGITS = 5;
    /** Each byte's lower-cased form when a host name may hold it, else 0. */
    private static final byte[] HOST_BYTES = new byte[256];

    static
    {
        for (int c = 'a'; c <= 'z'; c++)
        {
            HOST_BYTES[c] = (byte)c;
            HOST_BYTES[c - 'a' + 'A'] = (byte)c;
        }
        for (int c = '0'; c <= '9'; c++)
        {
            HOST_BYTES[c] = (byte)c;
        }
        HOST_BYTES['-'] = '-';
        HOST_BYTES['_'] = '_';
        HOST_BYTES['.'] = '.';
    }

    private HostName()
    {
    }

    /** A TLS host_name, or the host part of an authority once its port is gone. */
    static PeekStatus normaliseHost(final DirectBuffer src, final int offset, final int rawLength, final PeekResult result)
    {
        int length = rawLength;
        if (length > 0 && src.getByte(offset + length - 1) == '.')
        {
            length--;
        }
        if (length == 0)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_EMPTY);
        }
        if (length > PeekResult.MAX_NAME_BYTES)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_TOO_LONG);
        }
        final byte[] name = result.nameBytes;
        int labelBytes = 0;
        int labels = 1;
        int labelValue = 0;
        boolean dottedQuad = true;
        for (int i = 0; i < length; i++)
        {
            final byte c = HOST_BYTES[src.getByte(offset + i) & 0xff];
            if (c == '.')
            {
                if (labelBytes == 0)
                {
                    return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_LABEL_EMPTY);
                }
                labels++;
                labelBytes = 0;
                labelValue = 0;
            }
            else
            {
                if (c == 0)
                {
                    return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_BAD_CHARACTER);
                }
                if (c <= '9' && c >= '0')
                {
                    labelValue = labelValue * 10 + (c - '0');
                    dottedQuad &= labelBytes < 3 && labelValue <= 255;
                }
                else
                {
                    dottedQuad = false;
                }
                if (++labelBytes > MAX_LABEL_BYTES)
                {
                    return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_LABEL_TOO_LONG);
                }
            }
            name[i] = c;
        }
        if (labelBytes == 0)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_LABEL_EMPTY);
        }
        result.nameLength = length;
        result.nameIsIpLiteral = dottedQuad && labels == 4;
        return PeekStatus.OK;
    }

    /** An HTTP Host value or :authority: host, host:port, [v6] or [v6]:port (RFC 9110 s7.2). */
    static PeekStatus normaliseAuthority(final DirectBuffer src, final int offset, final int length, final PeekResult result)
    {
        if (length == 0)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_EMPTY);
        }
        if (src.getByte(offset) == '[')
        {
            int close = -1;
            for (int i = 1; i < length; i++)
            {
                if (src.getByte(offset + i) == ']')
                {
                    close = i;
                    break;
                }
            }
            if (close < 0 || !isPort(src, offset + close + 1, length - close - 1))
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_BAD_IPV6);
            }
            return normaliseIpv6(src, offset + 1, close - 1, result);
        }
        int hostLength = length;
        for (int i = length - 1; i >= 0; i--)
        {
            if (src.getByte(offset + i) == ':')
            {
                if (!isPort(src, offset + i, length - i))
                {
                    return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_BAD_PORT);
                }
                hostLength = i;
                break;
            }
        }
        return normaliseHost(src, offset, hostLength, result);
    }

    /** Empty, or ':' then 0..5 digits (RFC 3986 allows an empty port). */
    private static boolean isPort(final DirectBuffer src, final int offset, final int length)
    {
        if (length == 0)
        {
            return true;
        }
        if (src.getByte(offset) != ':' || length > 1 + MAX_PORT_DIGITS)
        {
            return false;
        }
        for (int i = 1; i < length; i++)
        {
            final byte c = src.getByte(offset + i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static PeekStatus normaliseIpv6(final DirectBuffer src, final int offset, final int length, final PeekResult result)
    {
        if (length < 2 || length > MAX_IPV6_BYTES)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_BAD_IPV6);
        }
        int colons = 0;
        for (int i = 0; i < length; i++)
        {
            byte c = src.getByte(offset + i);
            if (c >= 'A' && c <= 'F')
            {
                c = (byte)(c + ('a' - 'A'));
            }
            if (c == ':')
            {
                colons++;
            }
            else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.'))
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_BAD_IPV6);
            }
            result.nameBytes[i] = c;
        }
        if (colons < 2)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.NAME_BAD_IPV6);
        }
        result.nameLength = length;
        result.nameIsIpLiteral = true;
        return PeekStatus.OK;
    }
}
