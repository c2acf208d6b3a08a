package io.gatehouse.router.proxy;

import static io.gatehouse.router.proxy.ProxyBytes.ascii;
import static io.gatehouse.router.proxy.ProxyBytes.concat;
import static io.gatehouse.router.proxy.ProxyBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.proxy.ProxyHeaderParser.Command;
import io.gatehouse.router.proxy.ProxyHeaderParser.Family;
import io.gatehouse.router.proxy.ProxyHeaderParser.Transport;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProxyHeaderParserTest
{
    private static final String SIGNATURE = "0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A // v2 signature";
    private static final byte[] CLIENT_BYTES = ascii("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");

    /** A header, what it must parse to, and where its v2 TLV headers sit (for the off-by-one tables). */
    record Fixture(String name, byte[] bytes, int version, Command command, Family family, Transport transport,
        String source, int sourcePort, String destination, int destinationPort, int[] tlvHeaderOffsets)
    {
    }

    static final Fixture V2_TCP4 = new Fixture("v2 PROXY TCP4", hex(
        SIGNATURE,
        "21          // version 2, command PROXY",
        "11          // family INET, transport STREAM",
        "00 0C       // len 12: the IPv4 address block, no TLVs",
        "C0 00 02 01 // source 192.0.2.1",
        "C6 33 64 0A // destination 198.51.100.10",
        "D4 31       // source port 54321",
        "01 BB       // destination port 443"),
        2, Command.PROXY, Family.INET, Transport.STREAM, "192.0.2.1", 54321, "198.51.100.10", 443, new int[0]);

    static final Fixture V2_TCP6_TLVS = new Fixture("v2 PROXY TCP6 with AUTHORITY, ALPN, NOOP", hex(
        SIGNATURE,
        "21                                              // version 2, command PROXY",
        "21                                              // family INET6, transport STREAM",
        "00 41                                           // len 65 = 36 + 18 + 5 + 6",
        "20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 // source 2001:db8::1",
        "20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 02 // destination 2001:db8::2",
        "C3 50                                           // source port 50000",
        "01 BB                                           // destination port 443",
        "02 00 0F                                        // TLV AUTHORITY, 15 bytes",
        "77 77 77 2E 65 78 61 6D 70 6C 65 2E 63 6F 6D    // www.example.com",
        "01 00 02                                        // TLV ALPN, 2 bytes",
        "68 32                                           // h2",
        "04 00 03 00 00 00                               // TLV NOOP, 3 bytes of padding"),
        2, Command.PROXY, Family.INET6, Transport.STREAM, "2001:db8::1", 50000, "2001:db8::2", 443, new int[] {52, 70, 75});

    static final Fixture V2_LOCAL = new Fixture("v2 LOCAL", hex(
        SIGNATURE,
        "20    // version 2, command LOCAL (a health check)",
        "00    // family UNSPEC, transport UNSPEC",
        "00 00 // len 0"),
        2, Command.LOCAL, Family.UNSPEC, Transport.UNSPEC, null, 0, null, 0, new int[0]);

    static final Fixture V2_LOCAL_WITH_BLOCK = new Fixture("v2 LOCAL with a block to discard", hex(
        SIGNATURE,
        "20                                  // version 2, command LOCAL",
        "11                                  // family INET (ignored for LOCAL)",
        "00 0C                               // len 12",
        "7F 00 00 01 7F 00 00 01 00 50 00 50 // an address block, discarded unread"),
        2, Command.LOCAL, Family.UNSPEC, Transport.UNSPEC, null, 0, null, 0, new int[0]);

    static final Fixture V2_PROXY_UNSPEC = new Fixture("v2 PROXY UNSPEC", hex(
        SIGNATURE,
        "21       // version 2, command PROXY",
        "00       // family UNSPEC: use the real endpoints",
        "00 03    // len 3",
        "AB CD EF // an unspecified block, skipped"),
        2, Command.PROXY, Family.UNSPEC, Transport.UNSPEC, null, 0, null, 0, new int[0]);

    static final Fixture V2_UDP4 = new Fixture("v2 PROXY UDP4", hex(
        SIGNATURE,
        "21          // version 2, command PROXY",
        "12          // family INET, transport DGRAM",
        "00 0C       // len 12",
        "0A 00 00 01 // source 10.0.0.1",
        "0A 00 00 02 // destination 10.0.0.2",
        "00 35       // source port 53",
        "00 35       // destination port 53"),
        2, Command.PROXY, Family.INET, Transport.DGRAM, "10.0.0.1", 53, "10.0.0.2", 53, new int[0]);

    static final Fixture V2_UNIX = new Fixture("v2 PROXY UNIX", concat(hex(
        SIGNATURE,
        "21    // version 2, command PROXY",
        "31    // family UNIX, transport STREAM",
        "00 D8 // len 216: two 108-byte paths"),
        Arrays.copyOf(ascii("/run/client.sock"), 108),
        Arrays.copyOf(ascii("/run/gatehouse.sock"), 108)),
        2, Command.PROXY, Family.UNIX, Transport.STREAM, null, 0, null, 0, new int[0]);

    static final Fixture V2_SSL = new Fixture("v2 PROXY TCP4 with SSL and sub-TLVs", hex(
        SIGNATURE,
        "21                               // version 2, command PROXY",
        "11                               // family INET, transport STREAM",
        "00 2C                            // len 44 = 12 + 32",
        "C0 00 02 01 C6 33 64 0A D4 31 01 BB // 192.0.2.1:54321 -> 198.51.100.10:443",
        "20 00 1D                         // TLV SSL, 29 bytes",
        "07                               // client: SSL | CERT_CONN | CERT_SESS",
        "00 00 00 00                      // verify: 0, the certificate verified",
        "21 00 07 54 4C 53 76 31 2E 33    // sub-TLV SSL_VERSION TLSv1.3",
        "22 00 0B 65 78 61 6D 70 6C 65 2E 63 6F 6D // sub-TLV SSL_CN example.com"),
        2, Command.PROXY, Family.INET, Transport.STREAM, "192.0.2.1", 54321, "198.51.100.10", 443, new int[] {28});

    static final Fixture V1_TCP4 = new Fixture("v1 TCP4",
        ascii("PROXY TCP4 192.0.2.1 198.51.100.10 54321 443\r\n"),
        1, Command.PROXY, Family.INET, Transport.STREAM, "192.0.2.1", 54321, "198.51.100.10", 443, new int[0]);

    static final Fixture V1_TCP6 = new Fixture("v1 TCP6",
        ascii("PROXY TCP6 2001:db8::1 ::ffff:198.51.100.10 0 65535\r\n"),
        1, Command.PROXY, Family.INET6, Transport.STREAM, "2001:db8::1", 0, "::ffff:198.51.100.10", 65535, new int[0]);

    static final Fixture V1_UNKNOWN = new Fixture("v1 UNKNOWN",
        ascii("PROXY UNKNOWN\r\n"),
        1, Command.PROXY, Family.UNSPEC, Transport.UNSPEC, null, 0, null, 0, new int[0]);

    static final Fixture V1_UNKNOWN_MAX = new Fixture("v1 UNKNOWN at the 107-byte worst case",
        ascii("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
        1, Command.PROXY, Family.UNSPEC, Transport.UNSPEC, null, 0, null, 0, new int[0]);

    static final Fixture V1_TCP6_LONGEST = new Fixture("v1 TCP6, longest addresses",
        ascii("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFE 65535 65535\r\n"),
        1, Command.PROXY, Family.INET6, Transport.STREAM,
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535, new int[0]);

    static final List<Fixture> VALID = List.of(
        V2_TCP4, V2_TCP6_TLVS, V2_LOCAL, V2_LOCAL_WITH_BLOCK, V2_PROXY_UNSPEC, V2_UDP4, V2_UNIX, V2_SSL,
        V1_TCP4, V1_TCP6, V1_UNKNOWN, V1_UNKNOWN_MAX, V1_TCP6_LONGEST);

    private final ProxyHeaderParser parser = new ProxyHeaderParser();

    private ProxyHeaderStatus parse(final byte[] bytes)
    {
        return parser.parse(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Test
    void shouldParseEveryValidHeaderFollowedByClientBytes() throws Exception
    {
        for (final Fixture fixture : VALID)
        {
            assertEquals(ProxyHeaderStatus.OK, parse(concat(fixture.bytes(), CLIENT_BYTES)), fixture.name() + ": " + parser.reason());
            assertParsedAs(fixture);
        }
    }

    @Test
    void shouldParseHeaderAtAnOffsetInsideALargerBuffer() throws Exception
    {
        final byte[] bytes = concat(ascii("junk-before"), V2_TCP6_TLVS.bytes(), CLIENT_BYTES);
        assertEquals(ProxyHeaderStatus.OK, parser.parse(new UnsafeBuffer(bytes), 11, bytes.length - 11));
        assertParsedAs(V2_TCP6_TLVS);
        assertEquals(11 + 52 + 3, parser.tlvValueOffset(parser.authorityIndex()));
    }

    private void assertParsedAs(final Fixture fixture) throws Exception
    {
        final String name = fixture.name();
        assertEquals(fixture.version(), parser.version(), name);
        assertEquals(fixture.bytes().length, parser.headerLength(), name);
        assertSame(fixture.command(), parser.command(), name);
        assertSame(fixture.family(), parser.family(), name);
        assertSame(fixture.transport(), parser.transport(), name);
        assertNull(parser.reason(), name);
        if (fixture.source() == null)
        {
            assertEquals(0, parser.addressLength(), name);
            assertNull(parser.sourceInetAddress(), name);
            return;
        }
        final byte[] source = InetAddress.getByName(fixture.source()).getAddress();
        final byte[] destination = InetAddress.getByName(fixture.destination()).getAddress();
        final byte[] copied = new byte[16];
        final int family = fixture.family() == Family.INET ? 4 : 16;
        assertEquals(family, parser.addressLength(), name);
        assertEquals(family, parser.copySourceAddress(copied, 0), name);
        assertArrayEquals(pad(source, family), Arrays.copyOf(copied, family), name);
        assertEquals(family, parser.copyDestinationAddress(copied, 0), name);
        assertArrayEquals(pad(destination, family), Arrays.copyOf(copied, family), name);
        assertEquals(fixture.sourcePort(), parser.sourcePort(), name);
        assertEquals(fixture.destinationPort(), parser.destinationPort(), name);
    }

    /** InetAddress turns ::ffff:a.b.c.d into an Inet4Address; the header keeps 16 bytes. */
    private static byte[] pad(final byte[] address, final int length)
    {
        if (address.length == length)
        {
            return address;
        }
        final byte[] mapped = new byte[16];
        mapped[10] = (byte)0xFF;
        mapped[11] = (byte)0xFF;
        System.arraycopy(address, 0, mapped, 12, 4);
        return mapped;
    }

    @Test
    void shouldExposeAuthorityAndAlpnTlvsButNotPadding()
    {
        final byte[] bytes = V2_TCP6_TLVS.bytes();
        assertEquals(ProxyHeaderStatus.OK, parse(bytes));
        assertEquals(2, parser.tlvCount());
        final int authority = parser.authorityIndex();
        assertEquals(ProxyProtocolDescriptor.PP2_TYPE_AUTHORITY, parser.tlvType(authority));
        assertEquals("www.example.com", text(bytes, parser.tlvValueOffset(authority), parser.tlvValueLength(authority)));
        final int alpn = parser.alpnIndex();
        assertEquals(ProxyProtocolDescriptor.PP2_TYPE_ALPN, parser.tlvType(alpn));
        assertEquals("h2", text(bytes, parser.tlvValueOffset(alpn), parser.tlvValueLength(alpn)));
        assertEquals(-1, parser.findTlv(ProxyProtocolDescriptor.PP2_TYPE_NOOP));
        assertFalse(parser.crcChecked());
    }

    @Test
    void shouldKeepSslTlvAndExposeUnixAddressBlock()
    {
        assertEquals(ProxyHeaderStatus.OK, parse(V2_SSL.bytes()));
        final int ssl = parser.findTlv(ProxyProtocolDescriptor.PP2_TYPE_SSL);
        assertEquals(29, parser.tlvValueLength(ssl));
        assertEquals(0x07, V2_SSL.bytes()[parser.tlvValueOffset(ssl)]);

        assertEquals(ProxyHeaderStatus.OK, parse(V2_UNIX.bytes()));
        assertEquals(16, parser.addressBlockOffset());
        assertEquals(216, parser.addressBlockLength());
        assertEquals("/run/client.sock", text(V2_UNIX.bytes(), 16, 16));
        assertEquals("/run/gatehouse.sock", text(V2_UNIX.bytes(), 16 + 108, 19));
    }

    @Test
    void shouldWaitForMoreDataAtEverySplitPointOfEveryHeader()
    {
        for (final Fixture fixture : VALID)
        {
            final byte[] bytes = fixture.bytes();
            for (int split = 0; split < bytes.length; split++)
            {
                assertEquals(ProxyHeaderStatus.NEED_MORE_DATA, parse(Arrays.copyOf(bytes, split)), fixture.name() + " cut at " + split);
                assertEquals(0, parser.headerLength());
            }
            assertEquals(ProxyHeaderStatus.OK, parse(bytes), fixture.name());
        }
    }

    @Test
    void shouldRefuseEveryV2LenOffByOne()
    {
        for (final Fixture fixture : VALID)
        {
            if (fixture.version() != 2 || fixture.command() == Command.LOCAL || fixture.family() == Family.UNSPEC)
            {
                continue;
            }
            final byte[] bytes = fixture.bytes();
            final int len = ((bytes[14] & 0xFF) << 8) | (bytes[15] & 0xFF);

            final byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
            setShort(shorter, 14, len - 1);
            assertEquals(ProxyHeaderStatus.MALFORMED, parse(shorter), fixture.name() + " len - 1");

            final byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            setShort(longer, 14, len + 1);
            assertEquals(ProxyHeaderStatus.MALFORMED, parse(longer), fixture.name() + " len + 1");
            assertEquals(ProxyHeaderReason.V2_TLV_TRUNCATED, parser.reason(), fixture.name());

            final byte[] lyingLonger = bytes.clone();
            setShort(lyingLonger, 14, len + 1);
            assertEquals(ProxyHeaderStatus.NEED_MORE_DATA, parse(lyingLonger), fixture.name() + " len + 1 without the byte");
        }
    }

    @Test
    void shouldRefuseEveryTlvLengthOffByOne()
    {
        for (final Fixture fixture : List.of(V2_TCP6_TLVS, V2_SSL))
        {
            for (final int tlv : fixture.tlvHeaderOffsets())
            {
                final int length = ((fixture.bytes()[tlv + 1] & 0xFF) << 8) | (fixture.bytes()[tlv + 2] & 0xFF);
                for (final int lie : new int[] {length - 1, length + 1, 0xFFFF})
                {
                    final byte[] bytes = fixture.bytes().clone();
                    setShort(bytes, tlv + 1, lie);
                    assertEquals(ProxyHeaderStatus.MALFORMED, parse(concat(bytes, CLIENT_BYTES)),
                        fixture.name() + ": TLV at " + tlv + " claims " + lie + " bytes for " + length);
                }
            }
        }
    }

    @Test
    void shouldRefuseSslSubTlvLengthsThatDoNotFillTheSslTlv()
    {
        final int versionSubTlv = 28 + 3 + 5;
        for (final int lie : new int[] {6, 8, 0xFFFF})
        {
            final byte[] bytes = V2_SSL.bytes().clone();
            setShort(bytes, versionSubTlv + 1, lie);
            assertEquals(ProxyHeaderStatus.MALFORMED, parse(bytes), "SSL_VERSION claims " + lie);
            assertTrue(parser.reason().startsWith("v2: bytes after the last SSL sub-TLV") || parser.reason().startsWith("v2: an SSL sub-TLV"),
                parser.reason());
        }
        final byte[] shortSsl = hex(SIGNATURE, "21 11 00 13", "C0 00 02 01 C6 33 64 0A D4 31 01 BB", "20 00 04 07 00 00 00 // SSL of 4 bytes");
        assertEquals(ProxyHeaderStatus.MALFORMED, parse(shortSsl));
        assertEquals(ProxyHeaderReason.V2_SSL_LENGTH, parser.reason());
    }

    /** Hand-built v2 headers that break one rule each, and the reason each must give. */
    @Test
    void shouldRefuseMalformedV2Headers()
    {
        final String tcp4 = "C0 00 02 01 C6 33 64 0A D4 31 01 BB // 192.0.2.1:54321 -> 198.51.100.10:443";
        final Object[][] table = {
            {hex(SIGNATURE, "11 11 00 0C", tcp4), ProxyHeaderReason.V2_VERSION, "version 1 in the v2 format"},
            {hex(SIGNATURE, "31 11 00 0C", tcp4), ProxyHeaderReason.V2_VERSION, "version 3"},
            {hex(SIGNATURE, "22 11 00 0C", tcp4), ProxyHeaderReason.V2_COMMAND, "command 2"},
            {hex(SIGNATURE, "2F 11 00 0C", tcp4), ProxyHeaderReason.V2_COMMAND, "command 15"},
            {hex(SIGNATURE, "21 10 00 0C", tcp4), ProxyHeaderReason.V2_FAMILY, "INET with transport UNSPEC"},
            {hex(SIGNATURE, "21 01 00 0C", tcp4), ProxyHeaderReason.V2_FAMILY, "UNSPEC with transport STREAM"},
            {hex(SIGNATURE, "21 13 00 0C", tcp4), ProxyHeaderReason.V2_FAMILY, "transport 3"},
            {hex(SIGNATURE, "21 41 00 0C", tcp4), ProxyHeaderReason.V2_FAMILY, "family 4"},
            {hex(SIGNATURE, "21 11 00 0B C0 00 02 01 C6 33 64 0A D4 31 01"), ProxyHeaderReason.V2_ADDRESS_LENGTH, "INET block of 11"},
            {hex(SIGNATURE, "21 21 00 0C", tcp4), ProxyHeaderReason.V2_ADDRESS_LENGTH, "INET6 with 12 bytes"},
            {hex(SIGNATURE, "21 31 00 24", "00".repeat(36)), ProxyHeaderReason.V2_ADDRESS_LENGTH, "UNIX with 36 bytes"},
            {hex(SIGNATURE, "21 11 00 0E", tcp4, "02 00 // a TLV header cut short"), ProxyHeaderReason.V2_TLV_TRUNCATED, "2 bytes after the block"},
            {hex(SIGNATURE, "21 11 00 0D", tcp4, "04 // one stray byte"), ProxyHeaderReason.V2_TLV_TRUNCATED, "1 byte after the block"},
            {hex(SIGNATURE, "21 11 00 12", tcp4, "02 00 04 61 62 63 // AUTHORITY claims 4, has 3"), ProxyHeaderReason.V2_TLV_LENGTH, "overrun"},
            {hex(SIGNATURE, "21 11 00 17", tcp4, "02 00 01 61", "02 00 01 62 // a second AUTHORITY"), ProxyHeaderReason.V2_TLV_DUPLICATE, "two AUTHORITY"},
            {hex(SIGNATURE, "21 11 00 19", tcp4, "01 00 02 68 32", "01 00 02 68 33 // a second ALPN"), ProxyHeaderReason.V2_TLV_DUPLICATE, "two ALPN"},
            {hex(SIGNATURE, "21 11 00 12", tcp4, "03 00 03 00 00 00 // CRC32C of 3 bytes"), ProxyHeaderReason.V2_CRC32C_LENGTH, "short CRC"},
            {hex(SIGNATURE, "21 11 00 13", tcp4, "03 00 04 00 00 00 00 // a wrong CRC32C"), ProxyHeaderReason.V2_CRC32C_MISMATCH, "wrong CRC"},
            {hex(SIGNATURE, "21 11 00 90", tcp4, "05 00 81", "41".repeat(129)), ProxyHeaderReason.V2_UNIQUE_ID_LENGTH, "UNIQUE_ID of 129"},
        };
        for (final Object[] row : table)
        {
            assertEquals(ProxyHeaderStatus.MALFORMED, parse(concat((byte[])row[0], CLIENT_BYTES)), (String)row[2]);
            assertEquals(row[1], parser.reason(), (String)row[2]);
            assertEquals(2, parser.version(), (String)row[2]);
            assertEquals(0, parser.headerLength(), (String)row[2]);
            assertEquals(0, parser.tlvCount(), (String)row[2]);
        }
    }

    @Test
    void shouldVerifyCrc32cOverTheWholeHeader()
    {
        final byte[] bytes = hex(SIGNATURE, "21 11 00 17", "C0 00 02 01 C6 33 64 0A D4 31 01 BB",
            "02 00 01 61            // AUTHORITY a",
            "03 00 04 00 00 00 00   // CRC32C, filled in below");
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        setInt(bytes, bytes.length - 4, (int)crc.getValue());
        assertEquals(ProxyHeaderStatus.OK, parse(bytes));
        assertTrue(parser.crcChecked());
        for (int i = 0; i < bytes.length - 4; i++)
        {
            if (i < 16 && i != 13)
            {
                continue;
            }
            final byte[] corrupt = bytes.clone();
            corrupt[i] ^= 0x01;
            assertEquals(ProxyHeaderStatus.MALFORMED, parse(corrupt), "flipped bit in byte " + i);
        }
    }

    @Test
    void shouldRefuseMoreTlvsThanItKeepsAndCountOnlyRealOnes()
    {
        final int kept = ProxyHeaderParser.MAX_TLVS;
        final byte[] many = concat(hex(SIGNATURE, "21 11"), new byte[] {0, (byte)(12 + 3 * (kept + 1))},
            hex("C0 00 02 01 C6 33 64 0A D4 31 01 BB"), hex("E0 00 00".repeat(kept + 1)));
        assertEquals(ProxyHeaderStatus.MALFORMED, parse(many));
        assertEquals(ProxyHeaderReason.V2_TLV_TOO_MANY, parser.reason());

        final byte[] padded = concat(hex(SIGNATURE, "21 11"), new byte[] {0, (byte)(12 + 3 * (kept + 1))},
            hex("C0 00 02 01 C6 33 64 0A D4 31 01 BB"), hex("E0 00 00".repeat(kept)), hex("04 00 00 // NOOP is not kept"));
        assertEquals(ProxyHeaderStatus.OK, parse(padded));
        assertEquals(kept, parser.tlvCount());
    }

    @Test
    void shouldRefuseV2HeaderLongerThanItsBoundFromThePrefixAlone()
    {
        final ProxyHeaderParser small = new ProxyHeaderParser(64);
        final byte[] prefix = hex(SIGNATURE, "21 11 00 31 // len 49: 16 + 49 = 65 > 64");
        assertEquals(ProxyHeaderStatus.TOO_LARGE, small.parse(new UnsafeBuffer(prefix), 0, prefix.length));
        assertEquals(ProxyHeaderReason.V2_TOO_LARGE, small.reason());
        final byte[] fits = concat(hex(SIGNATURE, "21 11 00 30 // len 48: 16 + 48 = 64"), hex("C0 00 02 01 C6 33 64 0A D4 31 01 BB"),
            hex("E0 00 21"), new byte[33]);
        assertEquals(ProxyHeaderStatus.OK, small.parse(new UnsafeBuffer(fits), 0, fits.length));
        final byte[] huge = hex(SIGNATURE, "21 11 FF FF");
        assertEquals(ProxyHeaderStatus.TOO_LARGE, parse(huge));
    }

    /** Hand-built v1 lines that break one rule each, and the reason each must give. */
    @Test
    void shouldRefuseMalformedV1Lines()
    {
        final String[][] table = {
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321 443\n", ProxyHeaderReason.V1_BARE_LF},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321 443\rX", ProxyHeaderReason.V1_BARE_CR},
            {"PROXY \r\n", ProxyHeaderReason.V1_PROTOCOL},
            {"PROXY tcp4 192.0.2.1 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_PROTOCOL},
            {"PROXY TCP5 192.0.2.1 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_PROTOCOL},
            {"PROXY UNKNOWNX\r\n", ProxyHeaderReason.V1_PROTOCOL},
            {"PROXY TCP4\r\n", ProxyHeaderReason.V1_FIELDS},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321\r\n", ProxyHeaderReason.V1_FIELDS},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321 443 \r\n", ProxyHeaderReason.V1_FIELDS},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321 443 80\r\n", ProxyHeaderReason.V1_FIELDS},
            {"PROXY TCP4  192.0.2.1 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_FIELDS},
            {"PROXY TCP4 256.0.2.1 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP4 192.0.2 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP4 192.0.02.1 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP4 192.0.2.1.5 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP4 2001:db8::1 198.51.100.10 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP4 192.0.2.1 198.51.100.1000 54321 443\r\n", ProxyHeaderReason.V1_DESTINATION_ADDRESS},
            {"PROXY TCP6 192.0.2.1 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 2001:db8:::1 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 2001:db8::1::2 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 1:2:3:4:5:6:7:8:9 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 1:2:3:4:5:6:7 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 12345::1 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 :1 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 1: 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 fe80::1%eth0 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 [2001:db8::1] 2001:db8::2 54321 443\r\n", ProxyHeaderReason.V1_SOURCE_ADDRESS},
            {"PROXY TCP6 2001:db8::1 2001:db8::g 54321 443\r\n", ProxyHeaderReason.V1_DESTINATION_ADDRESS},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 65536 443\r\n", ProxyHeaderReason.V1_SOURCE_PORT},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 054321 443\r\n", ProxyHeaderReason.V1_SOURCE_PORT},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 -1 443\r\n", ProxyHeaderReason.V1_SOURCE_PORT},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 123456 443\r\n", ProxyHeaderReason.V1_SOURCE_PORT},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321 44a\r\n", ProxyHeaderReason.V1_DESTINATION_PORT},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321 0443\r\n", ProxyHeaderReason.V1_DESTINATION_PORT},
            {"PROXY TCP4 192.0.2.1 198.51.100.10 54321 99999\r\n", ProxyHeaderReason.V1_DESTINATION_PORT},
            {"PROXY UNKNOWN " + "x".repeat(92) + "\r\n", ProxyHeaderReason.V1_NO_CRLF},
            {"PROXY UNKNOWN " + "x".repeat(94), ProxyHeaderReason.V1_NO_CRLF},
        };
        for (final String[] row : table)
        {
            assertEquals(ProxyHeaderStatus.MALFORMED, parse(concat(ascii(row[0]), CLIENT_BYTES)), row[0]);
            assertEquals(row[1], parser.reason(), row[0]);
            assertEquals(1, parser.version(), row[0]);
        }
    }

    @Test
    void shouldReadEveryIpv6TextFormJavaWritesInV1() throws Exception
    {
        final java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 2_000; round++)
        {
            final byte[] address = new byte[16];
            for (int word = 0; word < 8; word++)
            {
                if (random.nextBoolean())
                {
                    address[2 * word] = (byte)random.nextInt(256);
                    address[2 * word + 1] = (byte)random.nextInt(256);
                }
            }
            final InetAddress parsed = InetAddress.getByAddress(address);
            final String full = parsed instanceof java.net.Inet6Address ? parsed.getHostAddress() : "::ffff:" + parsed.getHostAddress();
            for (final String text : new String[] {full, full.toUpperCase(java.util.Locale.ROOT)})
            {
                final String line = "PROXY TCP6 " + text + " ::1 1 2\r\n";
                assertEquals(ProxyHeaderStatus.OK, parse(ascii(line)), line);
                final byte[] copied = new byte[16];
                parser.copySourceAddress(copied, 0);
                assertArrayEquals(address, copied, line);
            }
        }
    }

    @Test
    void shouldHoldTheV1LineToAtMost107Bytes()
    {
        final String ok = "PROXY UNKNOWN " + "x".repeat(91) + "\r\n";
        assertEquals(107, ok.length());
        assertEquals(ProxyHeaderStatus.OK, parse(ascii(ok)));
        assertEquals(107, parser.headerLength());

        final String crAt107 = "PROXY UNKNOWN " + "x".repeat(92) + "\r";
        assertEquals(107, crAt107.length());
        assertEquals(ProxyHeaderStatus.MALFORMED, parse(ascii(crAt107)), "the LF would be byte 108");

        final String noEnd106 = "PROXY UNKNOWN " + "x".repeat(92);
        assertEquals(106, noEnd106.length());
        assertEquals(ProxyHeaderStatus.NEED_MORE_DATA, parse(ascii(noEnd106)));
        assertEquals(ProxyHeaderStatus.MALFORMED, parse(ascii(noEnd106 + "x")));
    }

    @Test
    void shouldTellNotProxyFromFirstDifferingByte()
    {
        final List<byte[]> notProxy = List.of(
            ascii("GET / HTTP/1.1\r\n"),
            ascii("POST / HTTP/1.1\r\n"),
            ascii("PROXX TCP4"),
            ascii("PROXYTCP4"),
            ascii("PRI * HTTP/2.0\r\n"),
            hex("16 03 01 02 00 01 // a TLS ClientHello"),
            hex("0D 0A 0D 0A 00 0D 0A 51 55 49 54 0B // last signature byte wrong"),
            hex("0D 0A 0A // CR LF LF"),
            ascii("\r\n\r\nQUIT"));
        for (final byte[] bytes : notProxy)
        {
            assertEquals(ProxyHeaderStatus.NOT_PROXY, parse(bytes), new String(bytes, StandardCharsets.ISO_8859_1));
            assertEquals(0, parser.version());
        }
        for (int i = 0; i < 12; i++)
        {
            final byte[] bytes = V2_TCP4.bytes().clone();
            bytes[i] ^= 0x20;
            assertEquals(ProxyHeaderStatus.NOT_PROXY, parse(Arrays.copyOf(bytes, i + 1)), "signature byte " + i);
        }
        assertEquals(ProxyHeaderStatus.NEED_MORE_DATA, parse(ascii("PROXY")));
        assertEquals(ProxyHeaderStatus.NEED_MORE_DATA, parse(new byte[0]));
    }

    @Test
    void shouldRefuseArgumentsOutsideTheBufferWithoutThrowing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(V2_TCP4.bytes());
        assertEquals(ProxyHeaderStatus.MALFORMED, parser.parse(null, 0, 0));
        assertEquals(ProxyHeaderStatus.MALFORMED, parser.parse(buffer, -1, 4));
        assertEquals(ProxyHeaderStatus.MALFORMED, parser.parse(buffer, 0, V2_TCP4.bytes().length + 1));
        assertEquals(ProxyHeaderStatus.MALFORMED, parser.parse(buffer, 4, V2_TCP4.bytes().length - 3));
        assertEquals(ProxyHeaderStatus.MALFORMED, parser.parse(buffer, 0, -1));
        assertEquals(ProxyHeaderReason.INVALID_ARGUMENTS, parser.reason());
    }

    @Test
    void shouldForgetThePreviousHeaderOnEveryParse()
    {
        assertEquals(ProxyHeaderStatus.OK, parse(V2_TCP6_TLVS.bytes()));
        assertEquals(ProxyHeaderStatus.OK, parse(V2_TCP4.bytes()));
        assertEquals(0, parser.tlvCount());
        assertEquals(-1, parser.authorityIndex());
        assertEquals(4, parser.addressLength());
        assertEquals(ProxyHeaderStatus.MALFORMED, parse(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n")));
        assertEquals(0, parser.addressLength());
        assertEquals(0, parser.sourcePort());
        assertNull(parser.command());
    }

    @Test
    void shouldNeverThrowOnRandomMutationsOfValidHeaders()
    {
        final java.util.Random random = new java.util.Random(0x5EED);
        for (int round = 0; round < 20_000; round++)
        {
            final byte[] bytes = VALID.get(random.nextInt(VALID.size())).bytes().clone();
            final int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips; i++)
            {
                bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
            }
            final int length = random.nextInt(bytes.length + 1);
            final ProxyHeaderStatus status = parser.parse(new UnsafeBuffer(bytes), 0, length);
            if (status == ProxyHeaderStatus.OK)
            {
                assertTrue(parser.headerLength() <= length, "header within the bytes given");
            }
            else if (status == ProxyHeaderStatus.MALFORMED || status == ProxyHeaderStatus.TOO_LARGE)
            {
                assertTrue(parser.reason() != null);
            }
        }
    }

    private static String text(final byte[] bytes, final int offset, final int length)
    {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    private static void setShort(final byte[] bytes, final int at, final int value)
    {
        bytes[at] = (byte)(value >>> 8);
        bytes[at + 1] = (byte)value;
    }

    private static void setInt(final byte[] bytes, final int at, final int value)
    {
        setShort(bytes, at, value >>> 16);
        setShort(bytes, at + 2, value);
    }
}
