package io.gatehouse.router.proxy;

import static io.gatehouse.router.proxy.ProxyBytes.ascii;
import static io.gatehouse.router.proxy.ProxyBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gatehouse.router.proxy.ProxyHeaderParser.Command;
import io.gatehouse.router.proxy.ProxyHeaderParser.Family;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProxyHeaderEncoderTest
{
    private static final byte[] SOURCE4 = {(byte)192, 0, 2, 1};
    private static final byte[] DESTINATION4 = {(byte)198, 51, 100, 10};

    private final ProxyHeaderEncoder encoder = new ProxyHeaderEncoder();
    private final ProxyHeaderParser parser = new ProxyHeaderParser();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ProxyHeaderParser.DEFAULT_MAX_V2_BYTES]);

    @Test
    void shouldWriteTheSpecsV1Lines() throws Exception
    {
        assertEquals("PROXY TCP4 192.0.2.1 198.51.100.10 54321 443\r\n", v1(encoder.reset().source(SOURCE4, 54321).destination(DESTINATION4, 443)));
        assertEquals("PROXY TCP6 2001:db8::1 2001:db8::2 50000 443\r\n",
            v1(encoder.reset().source(ip("2001:db8::1"), 50000).destination(ip("2001:db8::2"), 443)));
        assertEquals("PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 0 65535\r\n",
            v1(encoder.reset().source(SOURCE4, 0).destination(ip("2001:db8::2"), 65535)), "mixed: the IPv4 side is mapped");
        assertEquals("PROXY TCP6 2001:db8::2 ::ffff:198.51.100.10 1 2\r\n",
            v1(encoder.reset().source(ip("2001:db8::2"), 1).destination(DESTINATION4, 2)));
        assertEquals("PROXY UNKNOWN\r\n", v1(encoder.reset().local()));
    }

    @Test
    void shouldWriteIpv6AsRfc5952Text() throws Exception
    {
        final String[][] table = {
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
            {"2001:db8:0:0:0:1:0:0", "2001:db8::1:0:0"},
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
            {"0:0:0:0:0:0:0:0", "::"},
            {"0:0:0:0:0:0:0:1", "::1"},
            {"1:0:0:0:0:0:0:0", "1::"},
            {"2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:1", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
            {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
            {"0:0:0:0:0:ffff:c000:201", "::ffff:192.0.2.1"},
        };
        for (final String[] row : table)
        {
            final UnsafeBuffer text = new UnsafeBuffer(new byte[64]);
            final int length = ProxyHeaderEncoder.putIpv6(text, 0, ipv6Bytes(row[0]));
            assertEquals(row[1], text.getStringWithoutLengthAscii(0, length), row[0]);
        }
    }

    @Test
    void shouldWriteV2HeaderWithAuthorityAndAlpnByteForByte() throws Exception
    {
        final UnsafeBuffer name = new UnsafeBuffer(ascii("xxwww.example.com"));
        final UnsafeBuffer protocol = new UnsafeBuffer(ascii("h2"));
        encoder.reset().source(ip("2001:db8::1"), 50000).destination(ip("2001:db8::2"), 443).authority(name, 2, 15).alpn(protocol, 0, 2);
        final byte[] expected = hex(
            "0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A             // signature",
            "21                                              // version 2, PROXY",
            "21                                              // INET6, STREAM",
            "00 3B                                           // len 59 = 36 + 18 + 5",
            "20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 // source 2001:db8::1",
            "20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 02 // destination 2001:db8::2",
            "C3 50 01 BB                                     // ports 50000, 443",
            "02 00 0F 77 77 77 2E 65 78 61 6D 70 6C 65 2E 63 6F 6D // AUTHORITY www.example.com",
            "01 00 02 68 32                                  // ALPN h2");
        assertEquals(expected.length, encoder.encodedLengthV2());
        assertEquals(expected.length, encoder.encodeV2(out, 0, out.capacity()));
        assertArrayEquals(expected, Arrays.copyOf(out.byteArray(), expected.length));
    }

    @Test
    void shouldWriteV2LocalAndIpv4WithoutTlvs()
    {
        assertEquals(16, encoder.reset().local().encodeV2(out, 0, out.capacity()));
        assertArrayEquals(hex("0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A", "20 00 00 00 // LOCAL, UNSPEC, len 0"), Arrays.copyOf(out.byteArray(), 16));
        assertEquals(28, encoder.reset().source(SOURCE4, 54321).destination(DESTINATION4, 443).encodeV2(out, 0, out.capacity()));
        assertArrayEquals(
            hex("0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A", "21 11 00 0C", "C0 00 02 01 C6 33 64 0A D4 31 01 BB"),
            Arrays.copyOf(out.byteArray(), 28));
    }

    @Test
    void shouldWriteNothingWhenTheBufferIsOneByteShort() throws Exception
    {
        encoder.reset().source(ip("2001:db8::1"), 1).destination(ip("2001:db8::2"), 2).authority(new UnsafeBuffer(ascii("a.example")), 0, 9);
        final int v2 = encoder.encodedLengthV2();
        final byte[] before = out.byteArray().clone();
        assertEquals(ProxyHeaderEncoder.NO_ROOM, encoder.encodeV2(out, 0, v2 - 1));
        assertEquals(ProxyHeaderEncoder.NO_ROOM, encoder.encodeV2(new UnsafeBuffer(new byte[v2 + 9]), 10, v2));
        final String line = "PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n";
        assertEquals(ProxyHeaderEncoder.NO_ROOM, encoder.encodeV1(out, 0, line.length() - 1));
        assertArrayEquals(before, out.byteArray(), "nothing written");
        assertEquals(v2, encoder.encodeV2(out, 0, v2));
        assertEquals(line.length(), encoder.encodeV1(out, 0, line.length()));
    }

    @Test
    void shouldRefuseInputsThatMakeNoHeader()
    {
        assertEquals(ProxyHeaderEncoder.INVALID, encoder.reset().source(SOURCE4, 1).encodeV1(out, 0, out.capacity()), "no destination");
        assertEquals(ProxyHeaderEncoder.INVALID, encoder.reset().destination(SOURCE4, 1).encodeV2(out, 0, out.capacity()), "no source");
        assertEquals(ProxyHeaderEncoder.INVALID, encoder.reset().source(SOURCE4, 65536).destination(DESTINATION4, 1).encodeV2(out, 0, out.capacity()));
        assertEquals(ProxyHeaderEncoder.INVALID, encoder.reset().source(SOURCE4, -1).destination(DESTINATION4, 1).encodeV1(out, 0, out.capacity()));
        assertEquals(ProxyHeaderEncoder.INVALID, encoder.reset().source(new byte[5], 1).destination(DESTINATION4, 1).encodeV1(out, 0, out.capacity()));
        assertEquals(ProxyHeaderEncoder.INVALID, encoder.reset().source(InetSocketAddress.createUnresolved("a.example", 1))
            .destination(DESTINATION4, 1).encodeV2(out, 0, out.capacity()));
        final UnsafeBuffer big = new UnsafeBuffer(new byte[65_535]);
        assertEquals(ProxyHeaderEncoder.INVALID,
            encoder.reset().source(SOURCE4, 1).destination(DESTINATION4, 2).authority(big, 0, 65_535 - 12 - 3 + 1).encodedLengthV2(), "len past 65535");
        assertEquals(16 + 65_535, encoder.reset().source(SOURCE4, 1).destination(DESTINATION4, 2).authority(big, 0, 65_535 - 12 - 3).encodedLengthV2());
    }

    @Test
    void shouldRoundTripEveryFamilyCombinationThroughTheParser() throws Exception
    {
        final byte[][] addresses = {SOURCE4, DESTINATION4, ip("2001:db8::1"), ip("::1"), ip("fe80::1:2:3:4")};
        final UnsafeBuffer name = new UnsafeBuffer(ascii("api.example.test"));
        final UnsafeBuffer protocol = new UnsafeBuffer(ascii("http/1.1"));
        for (final byte[] source : addresses)
        {
            for (final byte[] destination : addresses)
            {
                encoder.reset().source(source, 40000).destination(destination, 8443).authority(name, 0, 16).alpn(protocol, 0, 8);
                roundTrip(source, 40000, destination, 8443, "api.example.test", "http/1.1");
            }
        }
    }

    @Test
    void shouldRoundTripSeededRandomHeaders()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 3_000; round++)
        {
            final byte[] source = randomAddress(random);
            final byte[] destination = randomAddress(random);
            final int sourcePort = random.nextInt(65_536);
            final int destinationPort = random.nextInt(65_536);
            final byte[] name = new byte[random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(300)];
            random.nextBytes(name);
            final byte[] protocol = new byte[random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(20)];
            random.nextBytes(protocol);
            encoder.reset().source(source, sourcePort).destination(destination, destinationPort)
                .authority(new UnsafeBuffer(name), 0, name.length).alpn(new UnsafeBuffer(protocol), 0, protocol.length);
            roundTrip(source, sourcePort, destination, destinationPort,
                name.length == 0 ? null : new String(name, StandardCharsets.ISO_8859_1),
                protocol.length == 0 ? null : new String(protocol, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void shouldRoundTripLocal()
    {
        final int v1 = encoder.reset().local().encodeV1(out, 0, out.capacity());
        assertEquals(ProxyHeaderStatus.OK, parser.parse(out, 0, v1));
        assertSame(Family.UNSPEC, parser.family());
        final int v2 = encoder.reset().local().encodeV2(out, 0, out.capacity());
        assertEquals(ProxyHeaderStatus.OK, parser.parse(out, 0, v2));
        assertSame(Command.LOCAL, parser.command());
        assertEquals(16, parser.headerLength());
    }

    /** Encodes v1 and v2 with the encoder's current inputs and checks the parser reads the same back. */
    private void roundTrip(final byte[] source, final int sourcePort, final byte[] destination, final int destinationPort,
        final String authority, final String alpn)
    {
        final boolean ipv4 = source.length == 4 && destination.length == 4;
        final byte[] expectedSource = ipv4 ? source : mapped(source);
        final byte[] expectedDestination = ipv4 ? destination : mapped(destination);
        final String what = Arrays.toString(source) + " -> " + Arrays.toString(destination);

        final int v1 = encoder.encodeV1(out, 0, out.capacity());
        assertEquals(ProxyHeaderStatus.OK, parser.parse(out, 0, v1), what + " v1: " + parser.reason());
        assertEquals(v1, parser.headerLength(), what);
        assertFields(ipv4, expectedSource, sourcePort, expectedDestination, destinationPort, what + " v1");

        final int v2 = encoder.encodeV2(out, 0, out.capacity());
        assertEquals(encoder.encodedLengthV2(), v2, what);
        assertEquals(ProxyHeaderStatus.OK, parser.parse(out, 0, v2), what + " v2: " + parser.reason());
        assertEquals(v2, parser.headerLength(), what);
        assertFields(ipv4, expectedSource, sourcePort, expectedDestination, destinationPort, what + " v2");
        assertEquals(authority, tlvText(parser.authorityIndex()), what);
        assertEquals(alpn, tlvText(parser.alpnIndex()), what);
    }

    private void assertFields(final boolean ipv4, final byte[] source, final int sourcePort, final byte[] destination, final int destinationPort,
        final String what)
    {
        assertSame(ipv4 ? Family.INET : Family.INET6, parser.family(), what);
        assertSame(Command.PROXY, parser.command(), what);
        final byte[] copied = new byte[16];
        assertArrayEquals(source, Arrays.copyOf(copied, parser.copySourceAddress(copied, 0)), what);
        assertArrayEquals(destination, Arrays.copyOf(copied, parser.copyDestinationAddress(copied, 0)), what);
        assertEquals(sourcePort, parser.sourcePort(), what);
        assertEquals(destinationPort, parser.destinationPort(), what);
    }

    private String tlvText(final int index)
    {
        if (index < 0)
        {
            return null;
        }
        final byte[] value = new byte[parser.tlvValueLength(index)];
        out.getBytes(parser.tlvValueOffset(index), value);
        return new String(value, StandardCharsets.ISO_8859_1);
    }

    /** Addresses with long zero runs, mapped forms and plain random ones, so every text form is met. */
    private static byte[] randomAddress(final Random random)
    {
        switch (random.nextInt(4))
        {
            case 0:
                final byte[] v4 = new byte[4];
                random.nextBytes(v4);
                return v4;
            case 1:
                final byte[] v6 = new byte[16];
                random.nextBytes(v6);
                return v6;
            default:
                final byte[] sparse = new byte[16];
                for (int word = 0; word < 8; word++)
                {
                    if (random.nextInt(3) == 0)
                    {
                        sparse[2 * word] = (byte)random.nextInt(256);
                        sparse[2 * word + 1] = (byte)random.nextInt(256);
                    }
                }
                return sparse;
        }
    }

    private static byte[] mapped(final byte[] address)
    {
        if (address.length == 16)
        {
            return address;
        }
        final byte[] mapped = new byte[16];
        mapped[10] = (byte)0xFF;
        mapped[11] = (byte)0xFF;
        System.arraycopy(address, 0, mapped, 12, 4);
        return mapped;
    }

    private String v1(final ProxyHeaderEncoder configured)
    {
        final int length = configured.encodeV1(out, 0, out.capacity());
        return out.getStringWithoutLengthAscii(0, length);
    }

    private static byte[] ip(final String literal) throws Exception
    {
        return InetAddress.getByName(literal).getAddress();
    }

    /** Always 16 bytes, even for ::ffff:a.b.c.d, which InetAddress would shorten to IPv4. */
    private static byte[] ipv6Bytes(final String literal) throws Exception
    {
        final InetAddress address = InetAddress.getByName(literal);
        return address instanceof Inet6Address ? address.getAddress() : mapped(address.getAddress());
    }
}
