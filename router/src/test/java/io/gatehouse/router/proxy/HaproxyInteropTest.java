package io.gatehouse.router.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.proxy.ProxyHeaderParser.Command;
import io.gatehouse.router.proxy.ProxyHeaderParser.Family;
import io.gatehouse.router.proxy.ProxyHeaderParser.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec against a real HAProxy: what HAProxy sends with {@code send-proxy} / {@code send-proxy-v2}
 * (with CRC32C and UNIQUE_ID TLVs, over IPv4 and IPv6, and the LOCAL header of its health checks) must
 * parse; what the encoder writes must be accepted by HAProxy's {@code accept-proxy}, which then repeats
 * the addresses (and the AUTHORITY) it learned to the next hop, where the parser reads them back.
 * Skipped when haproxy is not installed (.ci/run installs it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HaproxyInteropTest
{
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final long WAIT_MS = 10_000;
    private static final byte[] HELLO = "hello through haproxy".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;

    private static Process haproxy;
    private static ServerSocket backend;
    private static ServerSocket checkedBackend;
    private static int v2Port;
    private static int v1Port;
    private static int v6Port;
    private static int acceptV2Port;
    private static int acceptV1Port;
    private static boolean ipv6;

    @BeforeAll
    static void startHaproxy() throws Exception
    {
        assumeTrue(Files.isExecutable(HAPROXY), "haproxy is not installed at " + HAPROXY + " (apt-get install haproxy)");
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        backend.setSoTimeout((int)WAIT_MS);
        checkedBackend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        checkedBackend.setSoTimeout((int)WAIT_MS);
        ipv6 = canBindIpv6Loopback();
        for (int attempt = 0; attempt < 3 && haproxy == null; attempt++)
        {
            v2Port = freePort();
            v1Port = freePort();
            v6Port = freePort();
            acceptV2Port = freePort();
            acceptV1Port = freePort();
            final Path config = dir.resolve("haproxy-" + attempt + ".cfg");
            Files.writeString(config, String.join("\n",
                "global",
                "    maxconn 200",
                "defaults",
                "    mode tcp",
                "    timeout connect 2s",
                "    timeout client 20s",
                "    timeout server 20s",
                "frontend sends_v2",
                "    bind 127.0.0.1:" + v2Port,
                ipv6 ? "    bind [::1]:" + v6Port : "",
                "    unique-id-format gatehouse-%ci-%cp",
                "    default_backend v2",
                "backend v2",
                "    server s 127.0.0.1:" + backend.getLocalPort() + " send-proxy-v2 proxy-v2-options crc32c,unique-id",
                "frontend sends_v1",
                "    bind 127.0.0.1:" + v1Port,
                "    default_backend v1",
                "backend v1",
                "    server s 127.0.0.1:" + backend.getLocalPort() + " send-proxy",
                "frontend accepts_v2",
                "    bind 127.0.0.1:" + acceptV2Port + " accept-proxy",
                "    default_backend relays",
                "frontend accepts_v1",
                "    bind 127.0.0.1:" + acceptV1Port + " accept-proxy",
                "    default_backend relays",
                "backend relays",
                "    server s 127.0.0.1:" + backend.getLocalPort() + " send-proxy-v2 proxy-v2-options authority",
                "backend health_checked",
                "    server s 127.0.0.1:" + checkedBackend.getLocalPort() + " send-proxy-v2 check inter 200ms",
                ""));
            final Process started = new ProcessBuilder(HAPROXY.toString(), "-f", config.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy-" + attempt + ".log").toFile()).start();
            if (started.waitFor(300, TimeUnit.MILLISECONDS))
            {
                continue;
            }
            haproxy = started;
        }
        if (haproxy == null)
        {
            throw new AssertionError("haproxy did not start: " + Files.readString(dir.resolve("haproxy-2.log")));
        }
    }

    @AfterAll
    static void stopHaproxy() throws Exception
    {
        if (haproxy != null)
        {
            haproxy.destroy();
            if (!haproxy.waitFor(5, TimeUnit.SECONDS))
            {
                haproxy.destroyForcibly();
            }
        }
        if (backend != null)
        {
            backend.close();
        }
        if (checkedBackend != null)
        {
            checkedBackend.close();
        }
    }

    @Test
    void shouldParseHaproxySendProxyV2WithCrcAndUniqueId() throws Exception
    {
        try (Socket client = connect("127.0.0.1", v2Port); Socket relayed = acceptWith(client))
        {
            final ProxyHeaderParser parser = new ProxyHeaderParser();
            final byte[] received = readHeaderAndHello(relayed, parser);
            assertEquals(2, parser.version());
            assertSame(Command.PROXY, parser.command());
            assertSame(Family.INET, parser.family());
            assertSame(Transport.STREAM, parser.transport());
            assertAddresses(parser, "127.0.0.1", client.getLocalPort(), "127.0.0.1", v2Port);
            assertTrue(parser.crcChecked(), "HAProxy sent a CRC32C and it matched");
            final int uniqueId = parser.findTlv(ProxyProtocolDescriptor.PP2_TYPE_UNIQUE_ID);
            assertTrue(uniqueId >= 0, "a UNIQUE_ID TLV");
            assertEquals("gatehouse-127.0.0.1-" + client.getLocalPort(),
                new String(received, parser.tlvValueOffset(uniqueId), parser.tlvValueLength(uniqueId), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldParseHaproxySendProxyV2OverIpv6() throws Exception
    {
        assumeTrue(ipv6, "no IPv6 loopback here");
        try (Socket client = connect("::1", v6Port); Socket relayed = acceptWith(client))
        {
            final ProxyHeaderParser parser = new ProxyHeaderParser();
            readHeaderAndHello(relayed, parser);
            assertSame(Family.INET6, parser.family());
            assertAddresses(parser, "::1", client.getLocalPort(), "::1", v6Port);
        }
    }

    @Test
    void shouldParseHaproxySendProxyV1() throws Exception
    {
        try (Socket client = connect("127.0.0.1", v1Port); Socket relayed = acceptWith(client))
        {
            final ProxyHeaderParser parser = new ProxyHeaderParser();
            final byte[] received = readHeaderAndHello(relayed, parser);
            assertEquals(1, parser.version());
            assertEquals("PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort() + " " + v1Port + "\r\n",
                new String(received, 0, parser.headerLength(), StandardCharsets.US_ASCII));
            assertAddresses(parser, "127.0.0.1", client.getLocalPort(), "127.0.0.1", v1Port);
        }
    }

    @Test
    void shouldParseTheLocalHeaderOfHaproxyHealthChecks() throws Exception
    {
        try (Socket check = checkedBackend.accept())
        {
            check.setSoTimeout((int)WAIT_MS);
            final ProxyHeaderParser parser = new ProxyHeaderParser();
            readHeader(check.getInputStream(), parser, 0);
            assertEquals(2, parser.version());
            assertSame(Command.LOCAL, parser.command());
            assertSame(Family.UNSPEC, parser.family());
        }
    }

    @Test
    void shouldHaveHaproxyAcceptEncodedV2AndRepeatItsAddressesAndAuthority() throws Exception
    {
        final ProxyHeaderEncoder encoder = new ProxyHeaderEncoder();
        final UnsafeBuffer name = new UnsafeBuffer("shop.example.test".getBytes(StandardCharsets.US_ASCII));
        encoder.reset().source(InetAddress.getByName("192.0.2.7").getAddress(), 61000)
            .destination(InetAddress.getByName("198.51.100.20").getAddress(), 443).authority(name, 0, 17);
        final ProxyHeaderParser parser = new ProxyHeaderParser();
        final byte[] received = relayThroughAcceptProxy(acceptV2Port, encoder, true, parser);
        assertAddresses(parser, "192.0.2.7", 61000, "198.51.100.20", 443);
        final int authority = parser.authorityIndex();
        assertTrue(authority >= 0, "HAProxy repeated the AUTHORITY it was given");
        assertEquals("shop.example.test",
            new String(received, parser.tlvValueOffset(authority), parser.tlvValueLength(authority), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldHaveHaproxyAcceptEncodedV1AndV2AcrossFamilies() throws Exception
    {
        final ProxyHeaderEncoder encoder = new ProxyHeaderEncoder();
        final ProxyHeaderParser parser = new ProxyHeaderParser();
        encoder.reset().source(InetAddress.getByName("2001:db8::7").getAddress(), 1234)
            .destination(InetAddress.getByName("2001:db8:0:0:1::20").getAddress(), 8443);
        relayThroughAcceptProxy(acceptV1Port, encoder, false, parser);
        assertSame(Family.INET6, parser.family());
        assertAddresses(parser, "2001:db8::7", 1234, "2001:db8:0:0:1::20", 8443);

        encoder.reset().source(InetAddress.getByName("192.0.2.9").getAddress(), 5555)
            .destination(InetAddress.getByName("2001:db8::1").getAddress(), 443);
        relayThroughAcceptProxy(acceptV2Port, encoder, true, parser);
        assertSame(Family.INET6, parser.family(), "mixed families travel as IPv6 with the IPv4 side mapped");
        assertAddresses(parser, "::ffff:192.0.2.9", 5555, "2001:db8::1", 443);
    }

    /** Sends an encoded header and HELLO to an accept-proxy frontend and parses what HAProxy relays on. */
    private static byte[] relayThroughAcceptProxy(final int port, final ProxyHeaderEncoder encoder, final boolean v2, final ProxyHeaderParser parser)
        throws Exception
    {
        final UnsafeBuffer header = new UnsafeBuffer(new byte[512]);
        final int length = v2 ? encoder.encodeV2(header, 0, 512) : encoder.encodeV1(header, 0, 512);
        assertTrue(length > 0);
        try (Socket client = connectRaw("127.0.0.1", port))
        {
            final OutputStream out = client.getOutputStream();
            out.write(Arrays.copyOf(header.byteArray(), length));
            out.write(HELLO);
            out.flush();
            try (Socket relayed = backend.accept())
            {
                relayed.setSoTimeout((int)WAIT_MS);
                final byte[] received = readHeaderAndHelloFrom(relayed, parser);
                assertEquals(2, parser.version());
                assertSame(Command.PROXY, parser.command());
                return received;
            }
        }
    }

    private static Socket acceptWith(final Socket client) throws IOException
    {
        final OutputStream out = client.getOutputStream();
        out.write(HELLO);
        out.flush();
        final Socket relayed = backend.accept();
        relayed.setSoTimeout((int)WAIT_MS);
        return relayed;
    }

    private static byte[] readHeaderAndHello(final Socket relayed, final ProxyHeaderParser parser) throws IOException
    {
        return readHeaderAndHelloFrom(relayed, parser);
    }

    /** Reads until a whole header and HELLO after it are in; returns every byte read. */
    private static byte[] readHeaderAndHelloFrom(final Socket relayed, final ProxyHeaderParser parser) throws IOException
    {
        final byte[] received = readHeader(relayed.getInputStream(), parser, HELLO.length);
        assertArrayEquals(HELLO, Arrays.copyOfRange(received, parser.headerLength(), parser.headerLength() + HELLO.length),
            "the client's bytes follow the header");
        return received;
    }

    /** Reads and parses until OK and {@code after} more bytes are in, failing on any other final status. */
    private static byte[] readHeader(final InputStream in, final ProxyHeaderParser parser, final int after) throws IOException
    {
        final byte[] buffer = new byte[4096];
        int filled = 0;
        while (true)
        {
            final ProxyHeaderStatus status = parser.parse(new UnsafeBuffer(buffer), 0, filled);
            if (status == ProxyHeaderStatus.OK && filled - parser.headerLength() >= after)
            {
                return Arrays.copyOf(buffer, filled);
            }
            assertTrue(status == ProxyHeaderStatus.OK || status == ProxyHeaderStatus.NEED_MORE_DATA, status + ": " + parser.reason());
            final int read = in.read(buffer, filled, buffer.length - filled);
            assertTrue(read > 0, "the connection ended after " + filled + " bytes");
            filled += read;
        }
    }

    private static void assertAddresses(final ProxyHeaderParser parser, final String source, final int sourcePort,
        final String destination, final int destinationPort) throws IOException
    {
        assertEquals(InetAddress.getByName(source), parser.sourceInetAddress());
        assertEquals(sourcePort, parser.sourcePort());
        assertEquals(InetAddress.getByName(destination), parser.destinationInetAddress());
        assertEquals(destinationPort, parser.destinationPort());
    }

    private static Socket connect(final String host, final int port) throws Exception
    {
        return connectRaw(host, port);
    }

    /** Connects once HAProxy listens (it may still be starting), within a bound. */
    private static Socket connectRaw(final String host, final int port) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (true)
        {
            final Socket socket = new Socket();
            try
            {
                socket.connect(new InetSocketAddress(host, port), 1_000);
                socket.setSoTimeout((int)WAIT_MS);
                return socket;
            }
            catch (final IOException ex)
            {
                socket.close();
                assertTrue(haproxy.isAlive(), "haproxy exited");
                assertTrue(deadlineNs - System.nanoTime() > 0, "nothing listens on " + host + ":" + port);
                Thread.sleep(10);
            }
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }

    private static boolean canBindIpv6Loopback()
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1")))
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
