package io.gatehouse.router.proxy;

import static io.gatehouse.router.proxy.ProxyBytes.ascii;
import static io.gatehouse.router.proxy.ProxyBytes.concat;
import static io.gatehouse.router.proxy.ProxyBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The PROXY-in stage alone: bytes in, a status and the client's address out. */
class ProxyInTest
{
    private static final InetSocketAddress TCP_PEER = new InetSocketAddress("127.0.0.9", 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8446);
    private static final byte[] V1 = ascii("PROXY TCP4 192.0.2.1 198.51.100.2 51000 443\r\n");
    private static final byte[] V2_LOCAL = hex(
        "0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A // v2 signature",
        "20 // version 2, command LOCAL",
        "00 // family UNSPEC, transport UNSPEC",
        "00 00 // no address bytes");
    private static final byte[] V2_TCP6 = hex(
        "0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A // v2 signature",
        "21 // version 2, command PROXY",
        "21 // AF_INET6, STREAM",
        "00 24 // 36 address bytes",
        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 // source 2001:db8::1",
        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 // destination 2001:db8::2",
        "C7 38 // source port 51000",
        "01 BB // destination port 443");

    private final ProxyIn proxyIn = new ProxyIn(new ProxyHeaderParser());

    private static ClientAddress tcpClient()
    {
        return new ClientAddress(TCP_PEER.getAddress().getAddress(), TCP_PEER, LOCAL);
    }

    @Test
    void shouldTakeTheClientFromAV1HeaderAndSayWhereTheClientBytesStart() throws Exception
    {
        final byte[] bytes = concat(V1, ascii("GET / HTTP/1.1\r\n"));
        final ClientAddress client = tcpClient();

        assertSame(ProxyIn.Status.HEADER, proxyIn.read(new UnsafeBuffer(bytes), 0, bytes.length, client));

        assertEquals(V1.length, proxyIn.headerLength());
        assertEquals(InetAddress.getByName("192.0.2.1"), client.sourceAddress());
        assertArrayEquals(InetAddress.getByName("192.0.2.1").getAddress(), client.source());
        assertEquals(51000, client.sourcePort());
        assertArrayEquals(InetAddress.getByName("198.51.100.2").getAddress(), client.destination());
        assertEquals(443, client.destinationPort());
    }

    @Test
    void shouldTakeTheClientFromAV2Inet6Header() throws Exception
    {
        final ClientAddress client = tcpClient();

        assertSame(ProxyIn.Status.HEADER, proxyIn.read(new UnsafeBuffer(V2_TCP6), 0, V2_TCP6.length, client));

        assertEquals(V2_TCP6.length, proxyIn.headerLength());
        assertEquals(InetAddress.getByName("2001:db8::1"), client.sourceAddress());
        assertEquals(51000, client.sourcePort());
        assertArrayEquals(InetAddress.getByName("2001:db8::2").getAddress(), client.destination());
        assertEquals(443, client.destinationPort());
    }

    @Test
    void shouldKeepTheTcpPeerForAV2LocalHeader()
    {
        final ClientAddress client = tcpClient();

        assertSame(ProxyIn.Status.HEADER, proxyIn.read(new UnsafeBuffer(V2_LOCAL), 0, V2_LOCAL.length, client));

        assertEquals(V2_LOCAL.length, proxyIn.headerLength());
        assertEquals(TCP_PEER.getAddress(), client.sourceAddress());
        assertEquals(TCP_PEER.getPort(), client.sourcePort());
        assertNull(client.destination(), "the destination stays the listening address");
        assertEquals(LOCAL.getPort(), client.destinationPort());
    }

    @Test
    void shouldWaitForMoreDataAtEverySplitPointOfAHeader()
    {
        for (final byte[] header : new byte[][] {V1, V2_TCP6, V2_LOCAL})
        {
            for (int length = 0; length < header.length; length++)
            {
                final ClientAddress client = tcpClient();
                assertSame(ProxyIn.Status.NEED_MORE_DATA, proxyIn.read(new UnsafeBuffer(header), 0, length, client), "at " + length);
                assertEquals(TCP_PEER.getAddress(), client.sourceAddress(), "no address taken from a partial header");
            }
        }
    }

    @Test
    void shouldRefuseATrustedSourceThatOpensWithoutAValidHeader()
    {
        for (final byte[] bytes : new byte[][] {
            ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            ascii("PROXY TCP4 192.0.2.1 198.51.100.2 51000 99999\r\n"),
            ascii("PROXY UDP4 192.0.2.1 198.51.100.2 51000 443\r\n")})
        {
            final ClientAddress client = tcpClient();
            assertSame(ProxyIn.Status.REFUSED, proxyIn.read(new UnsafeBuffer(bytes), 0, bytes.length, client));
            assertEquals(TCP_PEER.getAddress(), client.sourceAddress());
        }
    }

    @Test
    void shouldScreenSignaturesPrefixesAndCleanBytes()
    {
        final byte[] tls = hex("16 03 01 00 05 // handshake record", "01 00 00 01 00");
        assertSame(ProxyIn.Screen.CLEAN, ProxyIn.screen(new UnsafeBuffer(tls), 0, tls.length, 16384));
        final byte[] get = ascii("GET / HTTP/1.1\r\n");
        assertSame(ProxyIn.Screen.CLEAN, ProxyIn.screen(new UnsafeBuffer(get), 0, get.length, 16384));
        assertSame(ProxyIn.Screen.CLEAN, ProxyIn.screen(new UnsafeBuffer(ascii("PROXYX")), 0, 6, 16384),
            "a v1 signature needs its space");

        assertSame(ProxyIn.Screen.REFUSED, ProxyIn.screen(new UnsafeBuffer(V1), 0, V1.length, 16384));
        assertSame(ProxyIn.Screen.REFUSED, ProxyIn.screen(new UnsafeBuffer(V1), 0, 6, 16384), "\"PROXY \" is a signature");
        assertSame(ProxyIn.Screen.REFUSED, ProxyIn.screen(new UnsafeBuffer(V2_LOCAL), 0, 12, 16384));
        for (int length = 1; length < 6; length++)
        {
            assertSame(ProxyIn.Screen.PREFIX, ProxyIn.screen(new UnsafeBuffer(V1), 0, length, 16384), "v1 prefix of " + length);
        }
        for (int length = 1; length < 12; length++)
        {
            assertSame(ProxyIn.Screen.PREFIX, ProxyIn.screen(new UnsafeBuffer(V2_LOCAL), 0, length, 16384), "v2 prefix of " + length);
        }
        assertSame(ProxyIn.Screen.REFUSED, ProxyIn.screen(new UnsafeBuffer(V1), 0, 4, 4),
            "a prefix as long as the peek bound cannot become a flight");
    }
}
