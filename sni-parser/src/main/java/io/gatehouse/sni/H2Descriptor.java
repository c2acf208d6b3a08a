package io.gatehouse.sni;

/**
 * Wire layout of an h2c prior-knowledge first flight (RFC 9113).
 *
 * <pre>
 * Connection preface (s3.4): "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (24 bytes), then a SETTINGS frame.
 *
 * Frame header (s4.1)                       HEADERS payload (s6.2)
 *   0  uint24 length                          [uint8 pad length]           if PADDED (0x8)
 *   3  uint8  type                            [uint32 E+stream dependency,
 *   4  uint8  flags                            uint8 weight]               if PRIORITY (0x20)
 *   5  uint32 R + stream identifier (31 bits)  field block fragment
 *   9  payload                                 padding
 * </pre>
 * CONTINUATION (s6.10) frames carry the rest of a field block until one has END_HEADERS (0x4).
 */
final class H2Descriptor
{
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int PREFACE_BYTES = 24;

    static final int FRAME_HEADER_BYTES = 9;
    static final int FRAME_TYPE_OFFSET = 3;
    static final int FRAME_FLAGS_OFFSET = 4;
    static final int FRAME_STREAM_OFFSET = 5;
    /** SETTINGS_MAX_FRAME_SIZE before the server's SETTINGS can have arrived (s4.2). */
    static final int DEFAULT_MAX_FRAME_BYTES = 1 << 14;

    static final int TYPE_DATA = 0;
    static final int TYPE_HEADERS = 1;
    static final int TYPE_PRIORITY = 2;
    static final int TYPE_RST_STREAM = 3;
    static final int TYPE_SETTINGS = 4;
    static final int TYPE_PUSH_PROMISE = 5;
    static final int TYPE_PING = 6;
    static final int TYPE_GOAWAY = 7;
    static final int TYPE_WINDOW_UPDATE = 8;
    static final int TYPE_CONTINUATION = 9;

    static final int FLAG_END_HEADERS = 0x4;
    static final int FLAG_PADDED = 0x8;
    static final int FLAG_PRIORITY = 0x20;
    static final int FLAG_ACK = 0x1;
    static final int SETTING_BYTES = 6;
    static final int PRIORITY_FIELD_BYTES = 5;

    private H2Descriptor()
    {
    }
}
