package io.gatehouse.sni;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Peeks at a client's first flight to learn where it is going, without terminating anything: the
 * SNI (and ALPN, offered versions, ECH presence) of a TLS ClientHello, the Host of an HTTP/1.x
 * request, or the {@code :authority} of an h2c (prior knowledge) request.
 *
 * <p><b>Contract.</b> One instance per connection at a time, reused with {@link #reset()}; in practice
 * one per event loop. Not thread-safe. Every buffer is allocated in the constructor; {@link #parse}
 * allocates nothing and never throws. The caller hands, on each call, ALL bytes the client has sent
 * so far, from its first byte, in {@code buffer[offset, offset+length)} (it may be a different
 * buffer each time, for instance a grown cumulation); after {@link PeekStatus#NEED_MORE_DATA} it calls
 * again with more. Work is linear in the bytes over all calls: the parsers keep their progress, so a
 * client sending one byte per segment costs O(n) in total, not O(n^2). Any other status is final
 * and is returned again by later calls until {@link #reset()}.
 *
 * <p><b>Bounds.</b> At most {@code maxBytes} are looked at. {@link PeekStatus#TOO_LARGE} comes when
 * that many have arrived without a decision, or at once when a TLS record, the ClientHello or an h2
 * frame declares a length that cannot end within {@code maxBytes}.
 *
 * <p><b>Results.</b> The views ({@link #name()}, {@link #alpnBuffer()}) stay valid until the next
 * {@link #parse} or {@link #reset()}. The name is a copy, normalised (ASCII lower case, one trailing
 * dot removed, port removed). The ALPN view may point into the caller's buffer, so read it before
 * that buffer is released.
 */
public final class FirstFlightParser
{
    public static final int DEFAULT_MAX_BYTES = 16 * 1024;
    public static final int MAX_BYTES_CAP = 64 * 1024;

    public static final int TLS_1_0 = 1;
    public static final int TLS_1_1 = 1 << 1;
    public static final int TLS_1_2 = 1 << 2;
    public static final int TLS_1_3 = 1 << 3;

    private static final int MODE_FIRST_BYTE = 0;
    private static final int MODE_TLS = 1;
    private static final int MODE_SSLV2 = 2;
    private static final int MODE_PREFACE = 3;
    private static final int MODE_HTTP1 = 4;
    private static final int MODE_H2C = 5;
    private static final int PRI_SP_BYTES = 4;

    private final int maxBytes;
    private final boolean acceptTls;
    private final boolean acceptHttp;
    private final PeekResult result = new PeekResult();
    private final ClientHelloParser tls;
    private final Http1RequestParser http1;
    private final H2cPrefaceParser h2c;
    private int mode;
    private int prefaceMatched;
    private PeekStatus finalStatus;

    /**
     * @param maxBytes   the most bytes to look at, 1..{@link #MAX_BYTES_CAP}; {@link #DEFAULT_MAX_BYTES} suits most
     * @param acceptTls  whether a TLS ClientHello is recognised
     * @param acceptHttp whether HTTP/1.x and h2c are recognised
     */
    public FirstFlightParser(final int maxBytes, final boolean acceptTls, final boolean acceptHttp)
    {
        if (maxBytes < 1 || maxBytes > MAX_BYTES_CAP)
        {
            throw new IllegalArgumentException("maxBytes must be 1.." + MAX_BYTES_CAP + ": " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.acceptTls = acceptTls;
        this.acceptHttp = acceptHttp;
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[maxBytes]);
        this.tls = new ClientHelloParser(maxBytes, scratch, result);
        this.http1 = new Http1RequestParser(result);
        this.h2c = new H2cPrefaceParser(maxBytes, scratch, result);
        reset();
    }

    /** A parser with {@link #DEFAULT_MAX_BYTES} that accepts TLS, HTTP/1.x and h2c. */
    public FirstFlightParser()
    {
        this(DEFAULT_MAX_BYTES, true, true);
    }

    /**
     * Parses the first flight so far.
     *
     * @param buffer all bytes the client sent so far, from its first byte, in [offset, offset+length)
     * @return the status; see the class comment
     */
    public PeekStatus parse(final DirectBuffer buffer, final int offset, final int length)
    {
        if (finalStatus != null)
        {
            return finalStatus;
        }
        if (buffer == null || offset < 0 || length < 0 || buffer.capacity() - offset < length)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.INVALID_ARGUMENTS);
        }
        final int usable = Math.min(length, maxBytes);
        PeekStatus status = route(buffer, offset, usable);
        if (status == PeekStatus.NEED_MORE_DATA)
        {
            if (length < maxBytes)
            {
                return status;
            }
            status = result.fail(PeekStatus.TOO_LARGE, PeekReason.FLIGHT_TOO_LARGE);
        }
        if (status == PeekStatus.NOT_RECOGNISED)
        {
            result.protocol = null;
        }
        finalStatus = status;
        return status;
    }

    private PeekStatus route(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == 0)
        {
            return PeekStatus.NEED_MORE_DATA;
        }
        if (mode == MODE_FIRST_BYTE)
        {
            final byte first = buffer.getByte(offset);
            if (first == TlsDescriptor.CONTENT_TYPE_HANDSHAKE)
            {
                if (!acceptTls)
                {
                    return result.fail(PeekStatus.NOT_RECOGNISED, PeekReason.PROTOCOL_DISABLED);
                }
                mode = MODE_TLS;
                result.protocol = PeekProtocol.TLS;
            }
            else if (first < 0)
            {
                mode = MODE_SSLV2;
            }
            else if (first >= 'A' && first <= 'Z')
            {
                if (!acceptHttp)
                {
                    return result.fail(PeekStatus.NOT_RECOGNISED, PeekReason.PROTOCOL_DISABLED);
                }
                mode = first == 'P' ? MODE_PREFACE : MODE_HTTP1;
            }
            else
            {
                return result.fail(PeekStatus.NOT_RECOGNISED, PeekReason.UNKNOWN_FIRST_BYTE);
            }
        }
        switch (mode)
        {
            case MODE_TLS:
                return tls.parse(buffer, offset, length);
            case MODE_SSLV2:
                return sslv2(buffer, offset, length);
            case MODE_PREFACE:
                return preface(buffer, offset, length);
            case MODE_HTTP1:
                return http1.parse(buffer, offset, length);
            default:
                return h2c.parse(buffer, offset, length);
        }
    }

    private PeekStatus preface(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = Math.min(length, H2Descriptor.PREFACE_BYTES);
        while (prefaceMatched < end)
        {
            if (buffer.getByte(offset + prefaceMatched) != H2Descriptor.PREFACE[prefaceMatched])
            {
                if (prefaceMatched < PRI_SP_BYTES)
                {
                    mode = MODE_HTTP1;
                    return http1.parse(buffer, offset, length);
                }
                return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_PREFACE);
            }
            if (++prefaceMatched == PRI_SP_BYTES)
            {
                result.protocol = PeekProtocol.H2C;
            }
        }
        if (prefaceMatched < H2Descriptor.PREFACE_BYTES)
        {
            return PeekStatus.NEED_MORE_DATA;
        }
        mode = MODE_H2C;
        return h2c.parse(buffer, offset, length);
    }

    /** RFC 5246 appendix E.2: a two-byte header with the top bit set, msg_type 1, version 0x0002 or 0x03xx. */
    private PeekStatus sslv2(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < TlsDescriptor.SSLV2_HEADER_BYTES)
        {
            return PeekStatus.NEED_MORE_DATA;
        }
        final int messageLength = ((buffer.getByte(offset) & 0x7f) << 8) | (buffer.getByte(offset + 1) & 0xff);
        final int versionMajor = buffer.getByte(offset + 3);
        final int versionMinor = buffer.getByte(offset + 4);
        final boolean version = (versionMajor == 0 && versionMinor == 2) || versionMajor == 3;
        if (buffer.getByte(offset + 2) != TlsDescriptor.SSLV2_CLIENT_HELLO || !version || messageLength < 9 || !acceptTls)
        {
            return result.fail(PeekStatus.NOT_RECOGNISED, acceptTls ? PeekReason.UNKNOWN_FIRST_BYTE : PeekReason.PROTOCOL_DISABLED);
        }
        result.protocol = PeekProtocol.TLS;
        result.sslv2Hello = true;
        if (versionMajor == 3)
        {
            result.tlsVersions = ClientHelloParser.versionBit((versionMajor << 8) | versionMinor);
        }
        return result.fail(PeekStatus.NO_NAME, PeekReason.SSLV2_HELLO);
    }

    /** Forgets the last connection; the parser is then as new. */
    public void reset()
    {
        mode = MODE_FIRST_BYTE;
        prefaceMatched = 0;
        finalStatus = null;
        result.reset();
        tls.reset();
        http1.reset();
        h2c.reset();
    }

    public int maxBytes()
    {
        return maxBytes;
    }

    /** The protocol recognised, or null while undecided or when {@link PeekStatus#NOT_RECOGNISED}. */
    public PeekProtocol protocol()
    {
        return result.protocol;
    }

    /** The normalised name in [0, {@link #nameLength()}); meaningful after {@link PeekStatus#OK}. */
    public DirectBuffer name()
    {
        return result.name;
    }

    public int nameLength()
    {
        return result.nameLength;
    }

    /** True when the name is an IPv4 dotted quad or an IPv6 literal (the latter from HTTP only, brackets removed). */
    public boolean nameIsIpLiteral()
    {
        return result.nameIsIpLiteral;
    }

    /** How many ALPN protocol names the client offered (TLS only): all of them, however many. */
    public int alpnCount()
    {
        return result.alpnCount;
    }

    /** The buffer the ALPN names lie in: the caller's buffer, or the parser's scratch for a multi-record hello. */
    public DirectBuffer alpnBuffer()
    {
        return result.alpnBuffer;
    }

    /**
     * Where name {@code i} (0..{@link #alpnCount()}-1, in the client's order) starts in {@link #alpnBuffer()}.
     * Reading the names in order costs O(1) each (a cursor walks the list); going back restarts the walk.
     */
    public int alpnOffset(final int i)
    {
        return result.alpnEntry(i) + 1;
    }

    /** The length of name {@code i}, 1..255 bytes. */
    public int alpnLength(final int i)
    {
        return result.alpnBuffer.getByte(result.alpnEntry(i)) & 0xff;
    }

    /**
     * TLS versions the client offers as bits {@link #TLS_1_0}..{@link #TLS_1_3}: the supported_versions
     * list when present (RFC 8446 s4.2.1 then ignores legacy_version), else the legacy_version.
     */
    public int tlsVersions()
    {
        return result.tlsVersions;
    }

    /** An encrypted_client_hello extension is present: the name is the outer (public) SNI. */
    public boolean echPresent()
    {
        return result.echPresent;
    }

    public boolean sslv2Hello()
    {
        return result.sslv2Hello;
    }

    /** Why the answer was MALFORMED, TOO_LARGE, NOT_RECOGNISED or NO_NAME: a {@link PeekReason} constant; else null. */
    public String reason()
    {
        return finalStatus == PeekStatus.OK ? null : result.reason;
    }
}
