package io.gatehouse.sni;

import org.agrona.DirectBuffer;

/**
 * The HTTP/1.x side of the peek: the request line and header fields up to the empty line, as RFC 9112
 * reads them, to find the name: an absolute-form (or CONNECT authority-form) target's authority, else
 * Host; with neither, or an empty Host, the answer is {@link PeekStatus#NO_NAME}.
 *
 * <p>Strict where a lenient reading could route one request two ways: obs-fold, whitespace before
 * ':', a bare CR, control characters, two Host fields with different values, and a Host that names
 * another host than the absolute-form or CONNECT target are {@link PeekStatus#MALFORMED}. The last is
 * HAProxy's rule since 2.1 (RFC 9112 s3.2: a client MUST send a Host identical to the target's
 * authority): a backend that honours Host must not be reached under a name the peek routed differently.
 * The hosts are compared normalised (case, one trailing dot) and without ports, so
 * {@code CONNECT a.test:443} with {@code Host: a.test} agrees, as in HAProxy 2.6+. A line over {@link #MAX_LINE_BYTES} or more than
 * {@link #MAX_HEADER_FIELDS} fields is {@link PeekStatus#TOO_LARGE}. A single LF ends a line as well
 * as CRLF (RFC 9112 s2.2). A method is upper-case letters, '-' and '_' (every registered method);
 * anything else before the first SP is {@link PeekStatus#NOT_RECOGNISED}. Bytes after the empty line
 * are not looked at.
 *
 * <p>Incremental and linear: {@link #scanOffset} remembers how far the head has been scanned, and each
 * line is read once, when its LF arrives. Offsets are kept relative to the flight's first byte, so the
 * caller may hand a different (grown) buffer on each call. One per {@link FirstFlightParser}: single
 * thread, no allocation.
 */
final class Http1RequestParser
{
    static final int MAX_LINE_BYTES = 8192;
    static final int MAX_HEADER_FIELDS = 100;
    static final int MAX_METHOD_BYTES = 24;
    private static final int VERSION_BYTES = 8;

    private final PeekResult result;
    /** The normalised Host, kept while the target's authority is normalised for the comparison. */
    private final byte[] hostName = new byte[PeekResult.MAX_NAME_BYTES + 1];
    private int scanOffset;
    private int lineStart;
    private int methodBytes;
    private byte previousByte;
    private boolean requestLineDone;
    private int headerFields;
    private int targetAuthorityOffset;
    private int targetAuthorityLength;
    private int hostOffset;
    private int hostLength;

    Http1RequestParser(final PeekResult result)
    {
        this.result = result;
        reset();
    }

    void reset()
    {
        scanOffset = 0;
        lineStart = 0;
        methodBytes = 0;
        previousByte = 0;
        requestLineDone = false;
        headerFields = 0;
        targetAuthorityOffset = -1;
        targetAuthorityLength = 0;
        hostOffset = -1;
        hostLength = 0;
    }

    PeekStatus parse(final DirectBuffer buffer, final int offset, final int length)
    {
        while (scanOffset < length)
        {
            final int index = scanOffset++;
            final byte c = buffer.getByte(offset + index);
            final byte previous = previousByte;
            previousByte = c;
            if (methodBytes >= 0)
            {
                if (c == ' ' && methodBytes > 0)
                {
                    methodBytes = -1;
                    result.protocol = PeekProtocol.HTTP1;
                    continue;
                }
                if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_') || ++methodBytes > MAX_METHOD_BYTES)
                {
                    return result.fail(PeekStatus.NOT_RECOGNISED, PeekReason.HTTP_METHOD);
                }
                continue;
            }
            if (previous == '\r' && c != '\n')
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_BARE_CR);
            }
            if (c == '\n')
            {
                final int lineEnd = previous == '\r' ? index - 1 : index;
                final PeekStatus status = requestLineDone ?
                    onFieldLine(buffer, offset, lineStart, lineEnd) :
                    onRequestLine(buffer, offset, lineStart, lineEnd);
                lineStart = scanOffset;
                if (status != PeekStatus.NEED_MORE_DATA)
                {
                    return status;
                }
            }
            else if ((c >= 0 && c < ' ' && c != '\t' && c != '\r') || c == 0x7f)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_CONTROL_CHARACTER);
            }
            else if (index - lineStart >= MAX_LINE_BYTES)
            {
                return result.fail(PeekStatus.TOO_LARGE, PeekReason.HTTP_LINE_TOO_LONG);
            }
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus onRequestLine(final DirectBuffer buffer, final int offset, final int start, final int end)
    {
        requestLineDone = true;
        final int methodEnd = indexOf(buffer, offset, ' ', start, end);
        final int targetStart = methodEnd + 1;
        final int targetEnd = indexOf(buffer, offset, ' ', targetStart, end);
        if (targetEnd <= targetStart)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_REQUEST_LINE);
        }
        if (end - targetEnd - 1 != VERSION_BYTES || !isHttp1Version(buffer, offset + targetEnd + 1))
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_VERSION);
        }
        final byte first = buffer.getByte(offset + targetStart);
        if (first == '/' || (first == '*' && targetEnd - targetStart == 1))
        {
            return PeekStatus.NEED_MORE_DATA;
        }
        if (methodEnd - start == 7 && equalsAscii(buffer, offset + start, "CONNECT"))
        {
            targetAuthorityOffset = targetStart;
            targetAuthorityLength = targetEnd - targetStart;
            return PeekStatus.NEED_MORE_DATA;
        }
        return readAbsoluteForm(buffer, offset, targetStart, targetEnd);
    }

    /** scheme "://" authority [ path-abempty ] [ "?" query ] (RFC 3986 s3); the authority is kept. */
    private PeekStatus readAbsoluteForm(final DirectBuffer buffer, final int offset, final int start, final int end)
    {
        int p = start;
        while (p < end && isSchemeByte(buffer.getByte(offset + p), p == start))
        {
            p++;
        }
        if (p == start || end - p < 3 || buffer.getByte(offset + p) != ':' ||
            buffer.getByte(offset + p + 1) != '/' || buffer.getByte(offset + p + 2) != '/')
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_TARGET);
        }
        final int authorityStart = p + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < end)
        {
            final byte c = buffer.getByte(offset + authorityEnd);
            if (c == '/' || c == '?' || c == '#')
            {
                break;
            }
            authorityEnd++;
        }
        if (authorityEnd == authorityStart)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_TARGET);
        }
        targetAuthorityOffset = authorityStart;
        targetAuthorityLength = authorityEnd - authorityStart;
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus onFieldLine(final DirectBuffer buffer, final int offset, final int start, final int end)
    {
        if (start == end)
        {
            return onEndOfHead(buffer, offset);
        }
        final byte first = buffer.getByte(offset + start);
        if (first == ' ' || first == '\t')
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_OBS_FOLD);
        }
        if (++headerFields > MAX_HEADER_FIELDS)
        {
            return result.fail(PeekStatus.TOO_LARGE, PeekReason.HTTP_TOO_MANY_HEADERS);
        }
        int colon = start;
        while (colon < end && isTokenByte(buffer.getByte(offset + colon)))
        {
            colon++;
        }
        if (colon == start || colon == end || buffer.getByte(offset + colon) != ':')
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_FIELD_NAME);
        }
        if (colon - start != 4 || !equalsIgnoreCase(buffer, offset + start, "host"))
        {
            return PeekStatus.NEED_MORE_DATA;
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && isWhitespace(buffer.getByte(offset + valueStart)))
        {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(buffer.getByte(offset + valueEnd - 1)))
        {
            valueEnd--;
        }
        final int valueLength = valueEnd - valueStart;
        if (hostOffset < 0)
        {
            hostOffset = valueStart;
            hostLength = valueLength;
            return PeekStatus.NEED_MORE_DATA;
        }
        if (valueLength != hostLength || !sameIgnoringCase(buffer, offset + hostOffset, offset + valueStart, valueLength))
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_HOST_DUPLICATE);
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus onEndOfHead(final DirectBuffer buffer, final int offset)
    {
        if (targetAuthorityOffset >= 0 && hostOffset >= 0)
        {
            return targetAgreeingWithHost(buffer, offset);
        }
        if (targetAuthorityOffset >= 0)
        {
            return HostName.normaliseAuthority(buffer, offset + targetAuthorityOffset, targetAuthorityLength, result);
        }
        if (hostOffset < 0 || hostLength == 0)
        {
            return result.fail(PeekStatus.NO_NAME, PeekReason.HTTP_NO_HOST);
        }
        return HostName.normaliseAuthority(buffer, offset + hostOffset, hostLength, result);
    }

    /** Both a target authority and a Host: each must be a valid name, and the same one. */
    private PeekStatus targetAgreeingWithHost(final DirectBuffer buffer, final int offset)
    {
        if (hostLength == 0)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_HOST_TARGET_MISMATCH);
        }
        final PeekStatus host = HostName.normaliseAuthority(buffer, offset + hostOffset, hostLength, result);
        if (host != PeekStatus.OK)
        {
            return host;
        }
        final int hostNameLength = result.nameLength;
        System.arraycopy(result.nameBytes, 0, hostName, 0, hostNameLength);
        final PeekStatus target = HostName.normaliseAuthority(buffer, offset + targetAuthorityOffset, targetAuthorityLength, result);
        if (target != PeekStatus.OK)
        {
            return target;
        }
        if (result.nameLength != hostNameLength)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_HOST_TARGET_MISMATCH);
        }
        for (int i = 0; i < hostNameLength; i++)
        {
            if (result.nameBytes[i] != hostName[i])
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.HTTP_HOST_TARGET_MISMATCH);
            }
        }
        return PeekStatus.OK;
    }

    private static boolean isHttp1Version(final DirectBuffer buffer, final int index)
    {
        final byte minor = buffer.getByte(index + 7);
        return equalsAscii(buffer, index, "HTTP/1.") && minor >= '0' && minor <= '9';
    }

    private static boolean isSchemeByte(final byte c, final boolean first)
    {
        final boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        return first ? letter : letter || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    }

    /** tchar (RFC 9110 s5.6.2). */
    private static boolean isTokenByte(final byte c)
    {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        {
            return true;
        }
        switch (c)
        {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
            case '-': case '.': case '^': case '_': case '`': case '|': case '~':
                return true;
            default:
                return false;
        }
    }

    private static boolean isWhitespace(final byte c)
    {
        return c == ' ' || c == '\t';
    }

    private static int indexOf(final DirectBuffer buffer, final int offset, final char c, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (buffer.getByte(offset + i) == c)
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean equalsAscii(final DirectBuffer buffer, final int index, final String expected)
    {
        for (int i = 0; i < expected.length(); i++)
        {
            if (buffer.getByte(index + i) != expected.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** expected is lower case. */
    private static boolean equalsIgnoreCase(final DirectBuffer buffer, final int index, final String expected)
    {
        for (int i = 0; i < expected.length(); i++)
        {
            if ((buffer.getByte(index + i) | 0x20) != expected.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean sameIgnoringCase(final DirectBuffer buffer, final int a, final int b, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final int x = buffer.getByte(a + i);
            final int y = buffer.getByte(b + i);
            if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z'))
            {
                return false;
            }
        }
        return true;
    }
}
