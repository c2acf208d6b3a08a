package io.gatehouse.router.proxy;

/**
 * Wire layout of the PROXY protocol, as offsets and constants (haproxy.org/download/2.9/doc/proxy-protocol.txt).
 *
 * <pre>
 * Version 1 (section 2.1): one US-ASCII line, at most 107 bytes with its CRLF.
 *   "PROXY" SP ( "TCP4" | "TCP6" ) SP src-address SP dst-address SP src-port SP dst-port CRLF
 *   "PROXY" SP "UNKNOWN" [ anything but CRLF ] CRLF             (the rest of the line is ignored)
 *   addresses: dotted quad for TCP4, RFC 4291 text for TCP6; ports: 0..65535 in decimal.
 *   Worst case: "PROXY UNKNOWN ffff:...:ffff ffff:...:ffff 65535 65535\r\n" = 107 bytes.
 *
 * Version 2 (section 2.2): binary, 16 bytes then len bytes.
 *   struct proxy_hdr_v2 {
 *    0  uint8_t  sig[12];   // \x0D \x0A \x0D \x0A \x00 \x0D \x0A \x51 \x55 \x49 \x54 \x0A
 *   12  uint8_t  ver_cmd;   // high nibble version (2), low nibble command: 0 LOCAL, 1 PROXY
 *   13  uint8_t  fam;       // high nibble family: 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX
 *                           // low nibble transport: 0 UNSPEC, 1 STREAM, 2 DGRAM
 *   14  uint16_t len;       // network order: bytes after this header (address block + TLVs)
 *   };
 *   union proxy_addr {                       // at offset 16
 *     struct { uint32_t src_addr; uint32_t dst_addr;          // INET,  len >= 12
 *              uint16_t src_port; uint16_t dst_port; } ipv4_addr;
 *     struct { uint8_t src_addr[16]; uint8_t dst_addr[16];    // INET6, len >= 36
 *              uint16_t src_port; uint16_t dst_port; } ipv6_addr;
 *     struct { uint8_t src_addr[108]; uint8_t dst_addr[108]; } unix_addr;   // UNIX, len >= 216
 *   };
 *   struct pp2_tlv {                          // after the address block, until 16 + len exactly
 *    0  uint8_t type;
 *    1  uint8_t length_hi;
 *    2  uint8_t length_lo;
 *    3  uint8_t value[0];
 *   };
 *   struct pp2_tlv_ssl {                      // the value of PP2_TYPE_SSL
 *    0  uint8_t  client;                      // PP2_CLIENT_* bits
 *    1  uint32_t verify;                      // 0 when the client certificate verified
 *    5  struct pp2_tlv sub_tlv[0];            // PP2_SUBTYPE_SSL_*, until the end of the value exactly
 *   };
 * </pre>
 */
public final class ProxyProtocolDescriptor
{
    public static final int V1_MAX_BYTES = 107;
    static final byte[] V1_SIGNATURE = {'P', 'R', 'O', 'X', 'Y', ' '};
    public static final int V1_MAX_PORT = 65_535;

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    public static final int V2_SIGNATURE_BYTES = 12;
    public static final int V2_VER_CMD_OFFSET = 12;
    public static final int V2_FAM_OFFSET = 13;
    public static final int V2_LEN_OFFSET = 14;
    public static final int V2_HEADER_BYTES = 16;
    public static final int V2_MAX_LEN = 0xFFFF;

    public static final int V2_VERSION = 0x2;
    public static final int V2_CMD_LOCAL = 0x0;
    public static final int V2_CMD_PROXY = 0x1;

    public static final int V2_AF_UNSPEC = 0x0;
    public static final int V2_AF_INET = 0x1;
    public static final int V2_AF_INET6 = 0x2;
    public static final int V2_AF_UNIX = 0x3;
    public static final int V2_TRANSPORT_UNSPEC = 0x0;
    public static final int V2_TRANSPORT_STREAM = 0x1;
    public static final int V2_TRANSPORT_DGRAM = 0x2;

    public static final int V2_ADDR_INET_BYTES = 12;
    public static final int V2_ADDR_INET6_BYTES = 36;
    public static final int V2_ADDR_UNIX_BYTES = 216;
    public static final int V2_UNIX_PATH_BYTES = 108;
    public static final int IPV4_BYTES = 4;
    public static final int IPV6_BYTES = 16;

    public static final int TLV_HEADER_BYTES = 3;
    public static final int TLV_TYPE_OFFSET = 0;
    public static final int TLV_LENGTH_OFFSET = 1;

    public static final int PP2_TYPE_ALPN = 0x01;
    public static final int PP2_TYPE_AUTHORITY = 0x02;
    public static final int PP2_TYPE_CRC32C = 0x03;
    public static final int PP2_TYPE_NOOP = 0x04;
    public static final int PP2_TYPE_UNIQUE_ID = 0x05;
    public static final int PP2_TYPE_SSL = 0x20;
    public static final int PP2_SUBTYPE_SSL_VERSION = 0x21;
    public static final int PP2_SUBTYPE_SSL_CN = 0x22;
    public static final int PP2_SUBTYPE_SSL_CIPHER = 0x23;
    public static final int PP2_SUBTYPE_SSL_SIG_ALG = 0x24;
    public static final int PP2_SUBTYPE_SSL_KEY_ALG = 0x25;
    public static final int PP2_TYPE_NETNS = 0x30;

    public static final int CRC32C_VALUE_BYTES = 4;
    public static final int UNIQUE_ID_MAX_BYTES = 128;
    public static final int SSL_FIXED_BYTES = 5;

    private ProxyProtocolDescriptor()
    {
    }
}
