package io.gatehouse.sni;

/**
 * The reasons {@link FirstFlightParser#reason()} hands back: static constants, so a caller may count
 * them by identity and nothing is built per call. The text names the protocol and the field.
 */
public final class PeekReason
{
    public static final String INVALID_ARGUMENTS = "offset/length outside the buffer";
    public static final String UNKNOWN_FIRST_BYTE = "first byte is not TLS, an HTTP method or the h2c preface";
    public static final String PROTOCOL_DISABLED = "protocol recognised but not accepted on this listener";
    public static final String FLIGHT_TOO_LARGE = "no decision within maxBytes";

    public static final String TLS_RECORD_TYPE = "tls: record is not a handshake record";
    public static final String TLS_RECORD_VERSION = "tls: record version major is not 3";
    public static final String TLS_RECORD_EMPTY = "tls: zero-length handshake record";
    public static final String TLS_RECORD_LENGTH = "tls: record longer than 2^14 bytes";
    public static final String TLS_RECORD_TOO_LARGE = "tls: record does not fit in maxBytes";
    public static final String TLS_HANDSHAKE_TYPE = "tls: first handshake message is not a ClientHello";
    public static final String TLS_HANDSHAKE_TOO_LARGE = "tls: ClientHello length does not fit in maxBytes";
    public static final String TLS_HELLO_TRUNCATED = "tls: ClientHello shorter than its fixed fields";
    public static final String TLS_SESSION_ID = "tls: session_id length";
    public static final String TLS_CIPHER_SUITES = "tls: cipher_suites length";
    public static final String TLS_COMPRESSION = "tls: compression_methods length";
    public static final String TLS_EXTENSIONS_LENGTH = "tls: extensions length does not match the ClientHello";
    public static final String TLS_EXTENSION_LENGTH = "tls: extension length overruns the extensions";
    public static final String TLS_EXTENSION_DUPLICATE = "tls: extension sent twice";
    public static final String TLS_SNI_LENGTH = "tls: server_name list length";
    public static final String TLS_SNI_DUPLICATE = "tls: two host_name entries in server_name";
    public static final String TLS_SNI_EMPTY = "tls: empty host_name";
    public static final String TLS_ALPN_LENGTH = "tls: ALPN list length";
    public static final String TLS_ALPN_EMPTY = "tls: empty ALPN protocol name";
    public static final String TLS_VERSIONS_LENGTH = "tls: supported_versions length";
    public static final String TLS_NO_SNI = "tls: no server_name extension";
    public static final String TLS_NO_HOST_NAME = "tls: server_name has no host_name entry";
    public static final String TLS_NO_EXTENSIONS = "tls: ClientHello without extensions";
    public static final String SSLV2_HELLO = "tls: SSLv2-compatible ClientHello carries no SNI";

    public static final String NAME_EMPTY = "name: empty";
    public static final String NAME_TOO_LONG = "name: longer than 253 bytes";
    public static final String NAME_LABEL_EMPTY = "name: empty label";
    public static final String NAME_LABEL_TOO_LONG = "name: label longer than 63 bytes";
    public static final String NAME_BAD_CHARACTER = "name: character outside letters, digits, '-', '.', '_'";
    public static final String NAME_BAD_IPV6 = "name: bad IPv6 literal";
    public static final String NAME_BAD_PORT = "name: bad port after the host";

    public static final String HTTP_METHOD = "http: request method is not an upper-case token";
    public static final String HTTP_REQUEST_LINE = "http: request line is not 'METHOD SP target SP HTTP/1.x'";
    public static final String HTTP_VERSION = "http: version is not HTTP/1.x";
    public static final String HTTP_TARGET = "http: request-target form not recognised";
    public static final String HTTP_LINE_TOO_LONG = "http: line longer than the limit";
    public static final String HTTP_TOO_MANY_HEADERS = "http: more header fields than the limit";
    public static final String HTTP_BARE_CR = "http: CR not followed by LF";
    public static final String HTTP_CONTROL_CHARACTER = "http: control character in the head";
    public static final String HTTP_OBS_FOLD = "http: obsolete line folding";
    public static final String HTTP_FIELD_NAME = "http: bad header field name (or whitespace before ':')";
    public static final String HTTP_HOST_DUPLICATE = "http: two Host fields with different values";
    public static final String HTTP_NO_HOST = "http: no Host field and no absolute-form target";
    public static final String HTTP_HOST_TARGET_MISMATCH = "http: Host names another host than the request target";

    public static final String H2C_PREFACE = "h2c: bytes differ from the connection preface";
    public static final String H2C_FIRST_FRAME = "h2c: first frame after the preface is not SETTINGS";
    public static final String H2C_FRAME_SIZE = "h2c: frame longer than 16384 bytes";
    public static final String H2C_FRAME_TOO_LARGE = "h2c: frame does not fit in maxBytes";
    public static final String H2C_FRAME_UNEXPECTED = "h2c: frame not allowed before the first HEADERS";
    public static final String H2C_STREAM_ID = "h2c: HEADERS on stream 0 or an even stream";
    public static final String H2C_PADDING = "h2c: padding or priority longer than the frame";
    public static final String H2C_CONTINUATION = "h2c: HEADERS not followed by its CONTINUATION";
    public static final String H2C_GOAWAY = "h2c: GOAWAY before the first HEADERS";
    public static final String H2C_NO_AUTHORITY = "h2c: first HEADERS has neither :authority nor host";
    public static final String H2C_AUTHORITY_DUPLICATE = "h2c: two :authority fields";
    public static final String H2C_HOST_MISMATCH = "h2c: a host field differs from :authority or from another host";
    public static final String HPACK_TRUNCATED = "hpack: representation runs past the header block";
    public static final String HPACK_INTEGER = "hpack: integer too large";
    public static final String HPACK_INDEX = "hpack: index 0 or past the tables";
    public static final String HPACK_TABLE_SIZE = "hpack: dynamic table size update above 4096 or not first";
    public static final String HPACK_HUFFMAN = "hpack: bad Huffman string (EOS, padding over 7 bits, or not all ones)";
    public static final String HPACK_STRING_TOO_LONG = "hpack: :authority or host value longer than 263 bytes";

    private PeekReason()
    {
    }
}
