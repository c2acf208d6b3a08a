package io.gatehouse.router.proxy;

/**
 * The reasons {@link ProxyHeaderParser#reason()} hands back: static constants, so a caller may count
 * them by identity and nothing is built per call.
 */
public final class ProxyHeaderReason
{
    public static final String INVALID_ARGUMENTS = "offset/length outside the buffer";

    public static final String V1_NO_CRLF = "v1: no CRLF within 107 bytes";
    public static final String V1_BARE_CR = "v1: CR not followed by LF";
    public static final String V1_BARE_LF = "v1: LF without CR";
    public static final String V1_PROTOCOL = "v1: protocol is not TCP4, TCP6 or UNKNOWN";
    public static final String V1_FIELDS = "v1: not 'PROXY proto src dst sport dport' with single spaces";
    public static final String V1_SOURCE_ADDRESS = "v1: source address is not a valid address of the protocol's family";
    public static final String V1_DESTINATION_ADDRESS = "v1: destination address is not a valid address of the protocol's family";
    public static final String V1_SOURCE_PORT = "v1: source port is not 0..65535 without leading zeros";
    public static final String V1_DESTINATION_PORT = "v1: destination port is not 0..65535 without leading zeros";

    public static final String V2_VERSION = "v2: version nibble is not 2";
    public static final String V2_COMMAND = "v2: command is neither LOCAL nor PROXY";
    public static final String V2_FAMILY = "v2: family/transport byte is not one the spec allows";
    public static final String V2_TOO_LARGE = "v2: header longer than the parser's bound";
    public static final String V2_ADDRESS_LENGTH = "v2: len is shorter than the family's address block";
    public static final String V2_TLV_TRUNCATED = "v2: bytes after the last TLV are too few for a TLV header";
    public static final String V2_TLV_LENGTH = "v2: a TLV's length runs past the end of the header";
    public static final String V2_TLV_DUPLICATE = "v2: ALPN, AUTHORITY, CRC32C, UNIQUE_ID or SSL sent twice";
    public static final String V2_TLV_TOO_MANY = "v2: more TLVs than the parser keeps";
    public static final String V2_CRC32C_LENGTH = "v2: CRC32C TLV is not 4 bytes";
    public static final String V2_CRC32C_MISMATCH = "v2: CRC32C does not match the header";
    public static final String V2_UNIQUE_ID_LENGTH = "v2: UNIQUE_ID TLV longer than 128 bytes";
    public static final String V2_SSL_LENGTH = "v2: SSL TLV shorter than its 5 fixed bytes";
    public static final String V2_SSL_SUB_TLV_TRUNCATED = "v2: bytes after the last SSL sub-TLV are too few for a TLV header";
    public static final String V2_SSL_SUB_TLV_LENGTH = "v2: an SSL sub-TLV's length runs past the end of the SSL TLV";

    private ProxyHeaderReason()
    {
    }
}
