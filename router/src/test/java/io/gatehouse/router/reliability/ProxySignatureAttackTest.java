package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.metrics.Counter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 1 against a live router: a PROXY signature from a source not trusted to send one never
 * reaches a backend, however it is segmented, on a listener with {@code proxy_protocol_from} and on one
 * without, and also right behind a trusted header. Each attack sends the signature's first byte(s) in a
 * segment of their own, pauses (that is the attack: the peek used to decide on the first byte alone),
 * then the rest. A client whose first bytes only look like the start of {@code "PROXY "} ({@code "P"},
 * then {@code "UT / HTTP/1.1"}) is still served.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxySignatureAttackTest
{
    private static final long PAUSE_MS = 200;

    @TempDir
    Path dir;

    /** A v2 PROXY header (PROXY, TCP over IPv4) naming {@code 10.9.9.9:4242 -> 127.0.0.1:443}. */
    private static byte[] v2Header()
    {
        return new byte[] {
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21, // version 2, PROXY
            0x11, // AF_INET, STREAM
            0x00, 0x0C, // 12 address bytes
            10, 9, 9, 9, 127, 0, 0, 1, // source, destination
            0x10, (byte)0x92, 0x01, (byte)0xBB}; // ports 4242, 443
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private String config(final int backendPort)
    {
        final String route = "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [\"127.0.0.1:" + backendPort + "\"]\n"
            + "    default: a.test\n";
        return "runtime: {workers: 1, drain_timeout: 1s}\n"
            + "listeners:\n"
            + "  - name: trusting\n"
            + "    address: 127.0.0.1:0\n"
            + "    proxy_protocol_from: [127.0.0.2/32]\n"
            + route
            + "  - name: plain\n"
            + "    address: 127.0.0.1:0\n"
            + route;
    }

    @Test
    void shouldLogAnAclRefusalAfterATrustedHeaderWithItsReason() throws Exception
    {
        final String yaml = "runtime: {workers: 1, drain_timeout: 1s}\n"
            + "listeners:\n"
            + "  - name: trusting\n"
            + "    address: 127.0.0.1:0\n"
            + "    proxy_protocol_from: [127.0.0.2/32]\n"
            + "    deny: [10.9.9.9/32]\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [\"127.0.0.1:9\"]\n";
        final Path file = dir.resolve("access.log");
        try (RouterUnderTest router = RouterUnderTest.start(dir, yaml);
             io.gatehouse.router.log.AccessLog log = io.gatehouse.router.log.AccessLog.open(file.toString(), 64, line -> { }))
        {
            router.router().accessLog(() -> log);
            assertTrue(refused(router.vip("trusting"), InetAddress.getByName("127.0.0.2"), v2Header(),
                ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")), "the header's source is denied");
            Await.until("the access log line", () -> read(file).contains("\"end\""));
            final String line = read(file);
            assertTrue(line.contains("\"client\":\"10.9.9.9:4242\"") && line.contains("\"end\":\"rejected_deny\""), line);
        }
    }

    /**
     * What already held, kept in the live suite: a trusted source's v2 header is parsed strictly (a wrong
     * CRC32C, a TLV longer than the header, are closed before any backend is dialed), and a client the header
     * names IPv4-mapped ({@code ::ffff:10.9.9.9}) is matched by the listener's IPv4 {@code deny}.
     */
    @Test
    void shouldHoldATrustedV2HeaderToItsCrcAndTlvLengthsAndMatchAMappedClientByIpv4Rules() throws Exception
    {
        try (RawBackend backend = new RawBackend("recorder", RawBackend::echo);
             RouterUnderTest router = RouterUnderTest.start(dir, "runtime: {workers: 1, drain_timeout: 1s}\n"
                 + "listeners:\n"
                 + "  - name: trusting\n"
                 + "    address: 127.0.0.1:0\n"
                 + "    proxy_protocol_from: [127.0.0.2/32]\n"
                 + "    deny: [10.9.9.9/32]\n"
                 + "    routes:\n"
                 + "      - hostnames: [a.test]\n"
                 + "        backends: [\"127.0.0.1:" + backend.address().getPort() + "\"]\n"
                 + "    default: a.test\n"))
        {
            final InetAddress trusted = InetAddress.getByName("127.0.0.2");
            final byte[] hello = ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
            final byte[] wrongCrc = concat(v2HeaderWithTlvs(10, 9, 9, 8, new byte[] {0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00}), hello);
            final byte[] overlongTlv = concat(v2HeaderWithTlvs(10, 9, 9, 8, new byte[] {0x04, 0x00, 0x0A, 0x00, 0x00, 0x00}), hello);
            assertTrue(refused(router.vip("trusting"), trusted, wrongCrc, new byte[0], 0), "a v2 header with a wrong CRC32C");
            assertTrue(refused(router.vip("trusting"), trusted, overlongTlv, new byte[0], 0), "a TLV longer than the header");
            assertEquals(2, router.count(Counter.REJECTED_PROXY_HEADER));

            final byte[] mapped = concat(new byte[] {
                0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
                0x21, 0x21, 0x00, 0x24, // PROXY, AF_INET6 STREAM, 36 address bytes
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xFF, (byte)0xFF, 10, 9, 9, 9, // ::ffff:10.9.9.9
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // ::1
                0x10, (byte)0x92, 0x01, (byte)0xBB}, hello);
            assertTrue(refused(router.vip("trusting"), trusted, mapped, new byte[0], 0), "::ffff:10.9.9.9 is the denied 10.9.9.9");
            assertEquals(0, backend.accepted(), "nothing reached the backend");

            final byte[] rightCrc = v2HeaderWithTlvs(10, 9, 9, 8, new byte[] {0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00});
            final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(rightCrc);
            final int sum = (int)crc.getValue();
            for (int i = 0; i < 4; i++)
            {
                rightCrc[rightCrc.length - 4 + i] = (byte)(sum >>> (24 - 8 * i));
            }
            final byte[] allowed = concat(rightCrc, hello);
            try (Socket client = new Socket())
            {
                client.bind(new InetSocketAddress(trusted, 0));
                client.connect(router.vip("trusting"), 5_000);
                client.setSoTimeout(10_000);
                Loopback.write(client, allowed);
                assertEquals(new String(hello, StandardCharsets.US_ASCII),
                    new String(Loopback.readExactly(client.getInputStream(), hello.length), StandardCharsets.US_ASCII),
                    "the same header with its right CRC32C is served, the header itself not forwarded");
            }
        }
    }

    /** A v2 header (PROXY, TCP over IPv4) from {@code a.b.c.d:4242} to 127.0.0.1:443 followed by {@code tlvs}. */
    private static byte[] v2HeaderWithTlvs(final int a, final int b, final int c, final int d, final byte[] tlvs)
    {
        final int length = 12 + tlvs.length;
        return concat(new byte[] {
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21, 0x11, (byte)(length >> 8), (byte)length,
            (byte)a, (byte)b, (byte)c, (byte)d, 127, 0, 0, 1,
            0x10, (byte)0x92, 0x01, (byte)0xBB}, tlvs);
    }

    private static String read(final Path file)
    {
        try
        {
            return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** Sends {@code first}, pauses, sends {@code rest}; returns true when the router closed the connection. */
    private static boolean refused(final InetSocketAddress vip, final InetAddress from, final byte[] first, final byte[] rest)
        throws Exception
    {
        return refused(vip, from, first, rest, PAUSE_MS);
    }

    private static boolean refused(
        final InetSocketAddress vip, final InetAddress from, final byte[] first, final byte[] rest, final long pauseMs)
        throws Exception
    {
        try (Socket client = new Socket())
        {
            client.bind(new InetSocketAddress(from, 0));
            client.connect(vip, 5_000);
            client.setTcpNoDelay(true);
            client.setSoTimeout(10_000);
            Loopback.write(client, first);
            Thread.sleep(pauseMs);
            try
            {
                if (rest.length > 0)
                {
                    Loopback.write(client, rest);
                }
            }
            catch (final IOException closedAlready)
            {
                return true;
            }
            return Loopback.readToEnd(client) != Loopback.End.TIMEOUT;
        }
    }

    @Test
    void shouldRefuseAWholeSignatureInOneSegmentAndOneSplitAtEveryByte() throws Exception
    {
        try (RawBackend backend = new RawBackend("recorder", RawBackend::echo);
             RouterUnderTest router = RouterUnderTest.start(dir, config(backend.address().getPort())))
        {
            final InetAddress untrusted = InetAddress.getByName("127.0.0.1");
            final byte[] hello = ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
            final byte[] v1 = concat(ascii("PROXY TCP4 10.9.9.9 127.0.0.1 4242 443\r\n"), hello);
            final byte[] v2 = concat(v2Header(), hello);
            int attacks = 0;
            for (final String listener : new String[] {"plain", "trusting"})
            {
                assertTrue(refusedInOne(router.vip(listener), v1), "v1 whole in one segment on " + listener);
                assertTrue(refusedInOne(router.vip(listener), v2), "v2 whole in one segment on " + listener);
                attacks += 2;
            }
            for (final byte[] forged : new byte[][] {v1, v2})
            {
                final int signatureLength = forged == v1 ? 6 : 12;
                for (int split = 1; split < signatureLength; split++)
                {
                    assertTrue(refused(router.vip("plain"), untrusted, java.util.Arrays.copyOfRange(forged, 0, split),
                        java.util.Arrays.copyOfRange(forged, split, forged.length), 20),
                        (forged == v1 ? "v1" : "v2") + " split after byte " + split);
                    attacks++;
                }
            }
            assertEquals(0, backend.accepted(), "no forged header reached the backend");
            assertEquals(attacks, router.count(Counter.REJECTED_PROXY_HEADER));
        }
    }

    /**
     * A server-first listener routes a silent client after its delay and starts the relay so the backend can
     * greet: the client's first bytes come after the routing decision, and are screened all the same, on a
     * copy listener and on a splice listener (which relays such a connection by copy).
     */
    @Test
    void shouldRefuseASignatureThatArrivesAfterTheServerFirstDelay() throws Exception
    {
        final StringBuffer received = new StringBuffer();
        final byte[] greeting = ascii("220 greeter\r\n");
        try (RawBackend backend = new RawBackend("greeter", socket ->
             {
                 socket.getOutputStream().write(greeting);
                 socket.getOutputStream().flush();
                 final byte[] buffer = new byte[4096];
                 int read;
                 while ((read = socket.getInputStream().read(buffer)) >= 0)
                 {
                     received.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                     socket.getOutputStream().write(buffer, 0, read);
                 }
             });
             RouterUnderTest router = RouterUnderTest.start(dir, "runtime: {workers: 1, drain_timeout: 1s, transport: epoll}\n"
                 + "listeners:\n"
                 + serverFirstListener("smtp", "copy", backend.address().getPort())
                 + serverFirstListener("smtp-splice", "splice", backend.address().getPort())))
        {
            final byte[] v2 = v2Header();
            int refused = 0;
            for (final String listener : new String[] {"smtp", "smtp-splice"})
            {
                try (Socket client = Loopback.connect(router.vip(listener), 10_000))
                {
                    assertEquals("220 greeter\r\n", new String(Loopback.readExactly(client.getInputStream(), greeting.length),
                        StandardCharsets.US_ASCII), "the server-first route greets a silent client on " + listener);
                    Loopback.write(client, new byte[] {v2[0]});
                    Thread.sleep(PAUSE_MS);
                    try
                    {
                        Loopback.write(client, concat(java.util.Arrays.copyOfRange(v2, 1, v2.length), ascii("EHLO x\r\n")));
                    }
                    catch (final IOException closedAlready)
                    {
                        // refused before the rest arrived
                    }
                    assertNotEquals(Loopback.End.TIMEOUT, Loopback.readToEnd(client), "v2 split after its first byte closed on " + listener);
                }
                try (Socket client = Loopback.connect(router.vip(listener), 10_000))
                {
                    Loopback.readExactly(client.getInputStream(), greeting.length);
                    Loopback.write(client, concat(ascii("PROXY TCP4 10.9.9.9 127.0.0.1 4242 25\r\n"), ascii("EHLO x\r\n")));
                    assertNotEquals(Loopback.End.TIMEOUT, Loopback.readToEnd(client), "v1 in one segment closed on " + listener);
                }
                refused += 2;
                assertEquals("", received.toString(), "no forged header reached the backend through " + listener);
                assertEquals(refused, router.count(Counter.REJECTED_PROXY_HEADER));

                try (Socket client = Loopback.connect(router.vip(listener), 10_000))
                {
                    Loopback.readExactly(client.getInputStream(), greeting.length);
                    Loopback.write(client, ascii("P"));
                    Thread.sleep(PAUSE_MS);
                    Loopback.write(client, ascii("ING\r\n"));
                    assertEquals("PING\r\n", new String(Loopback.readExactly(client.getInputStream(), 6), StandardCharsets.US_ASCII),
                        "a client whose first bytes are no signature is relayed on " + listener);
                }
                received.setLength(0);
            }
        }
    }

    private static String serverFirstListener(final String name, final String relay, final int backendPort)
    {
        return "  - name: " + name + "\n"
            + "    address: 127.0.0.1:0\n"
            + "    relay: " + relay + "\n"
            + "    server_first: {route: smtp.test, delay: 50ms}\n"
            + "    routes:\n"
            + "      - hostnames: [smtp.test]\n"
            + "        backends: [\"127.0.0.1:" + backendPort + "\"]\n";
    }

    /** Sends {@code bytes} in one write from 127.0.0.1; true when the router closed the connection. */
    private static boolean refusedInOne(final InetSocketAddress vip, final byte[] bytes) throws Exception
    {
        try (Socket client = Loopback.connect(vip, 10_000))
        {
            Loopback.write(client, bytes);
            return Loopback.readToEnd(client) != Loopback.End.TIMEOUT;
        }
    }

    @Test
    void shouldRefuseAPROXYSignatureFromAnUntrustedSourceHoweverItIsSegmented() throws Exception
    {
        try (RawBackend backend = new RawBackend("recorder", RawBackend::echo);
             RouterUnderTest router = RouterUnderTest.start(dir, config(backend.address().getPort())))
        {
            final InetAddress untrusted = InetAddress.getByName("127.0.0.1");
            final InetAddress trusted = InetAddress.getByName("127.0.0.2");
            final byte[] hello = ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
            final byte[] v2 = v2Header();
            final byte[] v2Rest = java.util.Arrays.copyOfRange(v2, 1, v2.length);

            assertTrue(refused(router.vip("trusting"), untrusted, new byte[] {0x0D}, concat(v2Rest, hello)),
                "v2 split after its first byte, untrusted, on the trusting listener");
            assertTrue(refused(router.vip("plain"), untrusted, new byte[] {0x0D, 0x0A, 0x0D}, concat(java.util.Arrays.copyOfRange(v2, 3, v2.length), hello)),
                "v2 split after three bytes on a listener without proxy_protocol_from");
            assertTrue(refused(router.vip("plain"), untrusted, ascii("PRO"), concat(ascii("XY TCP4 10.9.9.9 127.0.0.1 4242 443\r\n"), hello)),
                "v1 split inside PROXY on a listener without proxy_protocol_from");
            assertTrue(refused(router.vip("trusting"), trusted, concat(v2, new byte[] {0x0D}), concat(v2Rest, hello)),
                "a second v2 signature right behind a trusted header, split");
            assertTrue(refused(router.vip("trusting"), trusted, concat(v2, ascii("PROX")), concat(ascii("Y TCP4 10.9.9.9 127.0.0.1 4242 443\r\n"), hello)),
                "a v1 signature right behind a trusted header, split");
            assertEquals(0, backend.accepted(), "no forged header reached the backend");
            assertEquals(5, router.count(Counter.REJECTED_PROXY_HEADER));

            try (Socket client = Loopback.connect(router.vip("plain"), 10_000))
            {
                Loopback.write(client, ascii("P"));
                Thread.sleep(PAUSE_MS);
                final byte[] rest = ascii("UT / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\n");
                Loopback.write(client, rest);
                final byte[] echoed = Loopback.readExactly(client.getInputStream(), 1 + rest.length);
                assertEquals("P" + new String(rest, StandardCharsets.US_ASCII), new String(echoed, StandardCharsets.US_ASCII));
            }
            Await.until("the served client reached the backend", () -> backend.accepted() == 1);
            assertNotEquals(6, router.count(Counter.REJECTED_PROXY_HEADER), "a P that is not PROXY is not refused");
            System.out.println("security: PROXY signature from untrusted sources, split 1/3/3 bytes and behind a trusted header: "
                + "5 of 5 refused, 0 reached the backend; a split 'P'+'UT ...' request served");
        }
    }
}
