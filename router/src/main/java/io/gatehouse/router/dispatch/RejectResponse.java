package io.gatehouse.router.dispatch;

import io.gatehouse.sni.PeekProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * What a client whose name routes nowhere receives before the close, per protocol:
 * <ul>
 * <li>TLS: a fatal alert unrecognized_name (RFC 8446 s6.2, RFC 6066 s3), in a record carrying the
 * version the client's first record used: {@code 15 vv vv 00 02 02 70}.</li>
 * <li>HTTP/1.x: {@code HTTP/1.1 421 Misdirected Request} (RFC 9110 s15.5.20) with an empty body.</li>
 * <li>h2c: the server preface (an empty SETTINGS frame), a HEADERS frame on stream 1 carrying
 * {@code :status 421} with END_STREAM, and a GOAWAY with last stream 1 and NO_ERROR (RFC 9113 s6.8),
 * so HTTP/2 clients report a 421 rather than a broken connection.</li>
 * </ul>
 * Event loop thread; each call allocates the one small buffer it returns.
 */
public final class RejectResponse
{
    /** TLS alert level fatal. */
    static final int TLS_ALERT_FATAL = 2;
    /** TLS AlertDescription unrecognized_name. */
    static final int TLS_ALERT_UNRECOGNIZED_NAME = 112;
    static final int TLS_CONTENT_TYPE_ALERT = 0x15;

    private static final byte[] HTTP1 = (
        "HTTP/1.1 421 Misdirected Request\r\n"
        + "Content-Length: 0\r\n"
        + "Connection: close\r\n"
        + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private static final byte[] H2C = {
        // SETTINGS: length 0, type 0x4, flags 0, stream 0
        0, 0, 0, 0x4, 0, 0, 0, 0, 0,
        // HEADERS: length 5, type 0x1, flags END_STREAM|END_HEADERS (0x5), stream 1
        0, 0, 5, 0x1, 0x5, 0, 0, 0, 1,
        // HPACK literal without indexing, name = static index 8 (:status), value "421"
        0x08, 3, '4', '2', '1',
        // GOAWAY: length 8, type 0x7, flags 0, stream 0; last stream id 1, error NO_ERROR
        0, 0, 8, 0x7, 0, 0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 0,
    };

    private RejectResponse()
    {
    }

    /** The unrecognized_name alert in a record of version {@code major.minor} (as the client's record). */
    public static ByteBuf tlsUnrecognizedName(final ByteBufAllocator allocator, final int major, final int minor)
    {
        return allocator.buffer(7)
            .writeByte(TLS_CONTENT_TYPE_ALERT)
            .writeByte(major)
            .writeByte(minor)
            .writeShort(2)
            .writeByte(TLS_ALERT_FATAL)
            .writeByte(TLS_ALERT_UNRECOGNIZED_NAME);
    }

    /**
     * The reject bytes for {@code protocol} (TLS in a record of version {@code major.minor}), or {@code null}
     * when there are none to send (protocol not recognised): then the connection is just closed.
     */
    public static ByteBuf forProtocol(final ByteBufAllocator allocator, final PeekProtocol protocol, final int major, final int minor)
    {
        if (protocol == null)
        {
            return null;
        }
        return switch (protocol)
        {
            case TLS -> tlsUnrecognizedName(allocator, major, minor);
            case HTTP1 -> http1MisdirectedRequest(allocator);
            case H2C -> h2cMisdirectedRequest(allocator);
        };
    }

    public static ByteBuf http1MisdirectedRequest(final ByteBufAllocator allocator)
    {
        return allocator.buffer(HTTP1.length).writeBytes(HTTP1);
    }

    public static ByteBuf h2cMisdirectedRequest(final ByteBufAllocator allocator)
    {
        return allocator.buffer(H2C.length).writeBytes(H2C);
    }
}
