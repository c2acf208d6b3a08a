package io.gatehouse.sni;

/**
 * Wire layout of a client's first TLS flight, as offsets and constants.
 *
 * <pre>
 * TLSPlaintext (RFC 8446 s5.1)               Handshake (RFC 8446 s4)
 *   0  ContentType type      (22)              0  HandshakeType msg_type  (1 = client_hello)
 *   1  ProtocolVersion major (3)               1  uint24 length
 *   2  ProtocolVersion minor                   4  ClientHello body
 *   3  uint16 length         (1..2^14)
 *   5  fragment
 *
 * ClientHello (RFC 8446 s4.1.2, RFC 5246 s7.4.1.2)
 *   0  ProtocolVersion legacy_version
 *   2  Random random[32]
 *  34  opaque legacy_session_id&lt;0..32&gt;           (uint8 length)
 *      CipherSuite cipher_suites&lt;2..2^16-2&gt;      (uint16 length, even)
 *      opaque legacy_compression_methods&lt;1..2^8-1&gt; (uint8 length)
 *      Extension extensions&lt;8..2^16-1&gt;          (uint16 length; absent in old hellos)
 * Extension: uint16 extension_type, uint16 length, opaque extension_data[length]
 *
 * server_name (RFC 6066 s3):  uint16 list length, then { uint8 name_type (0 = host_name), uint16 length, name }
 * ALPN (RFC 7301 s3.1):       uint16 list length, then { uint8 length (1..255), protocol name }
 * supported_versions (RFC 8446 s4.2.1): uint8 list length (2..254, even), then uint16 versions
 *
 * SSLv2-compatible CLIENT-HELLO (RFC 5246 appendix E.2)
 *   0  uint16 msg_length with the top bit set   2  uint8 msg_type (1)   3  uint16 version
 * </pre>
 */
final class TlsDescriptor
{
    static final int RECORD_HEADER_BYTES = 5;
    static final int RECORD_TYPE_OFFSET = 0;
    static final int RECORD_VERSION_MAJOR_OFFSET = 1;
    static final int RECORD_LENGTH_OFFSET = 3;
    static final int CONTENT_TYPE_HANDSHAKE = 22;
    static final int MAX_PLAINTEXT_BYTES = 1 << 14;

    static final int HANDSHAKE_HEADER_BYTES = 4;
    static final int HANDSHAKE_TYPE_CLIENT_HELLO = 1;

    static final int RANDOM_BYTES = 32;
    static final int MAX_SESSION_ID_BYTES = 32;
    static final int SESSION_ID_LENGTH_OFFSET = 2 + RANDOM_BYTES;

    static final int EXTENSION_HEADER_BYTES = 4;
    static final int EXT_SERVER_NAME = 0;
    static final int EXT_ALPN = 16;
    static final int EXT_SUPPORTED_VERSIONS = 43;
    static final int EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d;
    static final int SNI_HOST_NAME = 0;

    static final int VERSION_TLS_1_0 = 0x0301;
    static final int VERSION_TLS_1_3 = 0x0304;

    static final int SSLV2_HEADER_BYTES = 5;
    static final int SSLV2_CLIENT_HELLO = 1;

    private TlsDescriptor()
    {
    }
}
