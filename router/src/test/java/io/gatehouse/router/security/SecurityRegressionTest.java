package io.gatehouse.router.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.Cli;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.TlsBackend;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 items 2, 3, 7 (its live half is the reload path, measured in bench-results), 9 and 10 replayed
 * against a live router: the route ACL behind an ALPN condition, wildcard depth, h2c and HTTP/1 host
 * disagreements, a PROXY source written IPv4-mapped, {@code deny: ["::/0"]} against an IPv4 client, more
 * than 32 ALPN ids, and a duplicated extension type above 63.
 */
@ExtendWith(LeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecurityRegressionTest
{
    private static final Cidr ONLY_99 = Cidr.parse("127.0.0.99/32");

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Router router;
    private RawBackend httpSecret;
    private RawBackend httpWild;
    private RawBackend alpnH2;
    private RawBackend alpnAny;
    private RawBackend proxied;
    private RawBackend denied;
    private InetSocketAddress tls;
    private InetSocketAddress http;
    private InetSocketAddress tlsRaw;
    private InetSocketAddress trustsMapped;
    private InetSocketAddress deniesV6All;

    @BeforeAll
    void start(@TempDir final Path keys) throws Exception
    {
        final TlsBackend secret = add(TlsBackend.start("secret", TlsBackend.keystore(keys, "secret.w.test")));
        final TlsBackend wild = add(TlsBackend.start("wild", TlsBackend.keystore(keys, "wild.w.test")));
        httpSecret = add(new RawBackend("http-secret", socket -> answer(socket, "http-secret")));
        httpWild = add(new RawBackend("http-wild", socket -> answer(socket, "http-wild")));
        alpnH2 = add(new RawBackend("alpn-h2", socket -> answer(socket, "alpn-h2")));
        alpnAny = add(new RawBackend("alpn-any", socket -> answer(socket, "alpn-any")));
        proxied = add(new RawBackend("proxied", socket -> answer(socket, "proxied")));
        denied = add(new RawBackend("denied", socket -> answer(socket, "denied")));

        router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
            TestConfigs.listener("tls",
                guarded(List.of("secret.w.test"), List.of("h2"), secret.address()),
                TestConfigs.route(List.of("*.w.test"), wild.address())).protocol(ListenerConfig.Protocol.TLS),
            TestConfigs.listener("http",
                guarded(List.of("secret.w.test"), List.of("h2"), httpSecret.address()),
                TestConfigs.route(List.of("*.w.test"), httpWild.address())),
            TestConfigs.listener("tls-raw",
                TestConfigs.route(List.of("alpn.w.test"), List.of("h2"), RouteConfig.ProxyProtocolOut.NONE, alpnH2.address()),
                TestConfigs.route(List.of("alpn.w.test"), alpnAny.address())).protocol(ListenerConfig.Protocol.TLS),
            TestConfigs.listener("trusts-mapped", TestConfigs.route(List.of("p.test"), proxied.address()))
                .defaultRoute("p.test").proxyFrom(Cidr.parse("::ffff:127.0.0.2")),
            TestConfigs.listener("denies-v6-all", TestConfigs.route(List.of("d.test"), denied.address()))
                .defaultRoute("d.test").deny(Cidr.parse("::/0"))));
        tls = router.boundAddress("tls");
        http = router.boundAddress("http");
        tlsRaw = router.boundAddress("tls-raw");
        trustsMapped = router.boundAddress("trusts-mapped");
        deniesV6All = router.boundAddress("denies-v6-all");
    }

    @AfterAll
    void stop() throws Exception
    {
        if (router != null)
        {
            router.close();
        }
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
    }

    // Item 2: the route ACL of an ALPN-conditioned exact name is not stepped around by the wildcard.

    @Test
    void shouldNotLetATlsClientOfferingHttp11ReachTheWildcardOfAnAlpnGuardedName()
    {
        final long rejected = router.metrics().total(Counter.REJECTED_NO_ROUTE);
        final SSLException ex = assertThrows(SSLException.class,
            () -> TlsBackend.Client.peerCommonName(tls, "secret.w.test", "http/1.1"));
        assertTrue(String.valueOf(ex.getMessage()).contains("unrecognized_name"), ex.getMessage());
        assertEquals(rejected + 1, router.metrics().total(Counter.REJECTED_NO_ROUTE));
    }

    @Test
    void shouldNotLetOpensslOfferingHttp11ReachTheWildcardOfAnAlpnGuardedName() throws Exception
    {
        assumeTrue(Cli.available("openssl"), "openssl not installed");
        final String output = Cli.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + tls.getPort(),
            "-servername", "secret.w.test", "-alpn", "http/1.1", "-brief"));
        assertTrue(output.contains("unrecognized name") || output.contains("alert number 112"), output);
        assertFalse(output.contains("wild.w.test"), output);
    }

    @Test
    void shouldStillApplyTheGuardedRoutesAclToAClientThatMeetsItsAlpnCondition()
    {
        final long refused = router.metrics().total(Counter.REJECTED_ACL);
        assertThrows(IOException.class, () -> TlsBackend.Client.peerCommonName(tls, "secret.w.test", "h2"));
        Await.until("the route ACL refusal is counted", () -> router.metrics().total(Counter.REJECTED_ACL) == refused + 1);
    }

    @Test
    void shouldNotLetAPlainHttp1ClientWithTheGuardedHostReachTheWildcard() throws Exception
    {
        assumeTrue(Cli.available("curl"), "curl not installed");
        final int wildBefore = httpWild.accepted();
        final int secretBefore = httpSecret.accepted();
        assertEquals("421", Cli.run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
            "--resolve", "secret.w.test:" + http.getPort() + ":127.0.0.1", "http://secret.w.test:" + http.getPort() + "/")));
        assertEquals(wildBefore, httpWild.accepted());
        assertEquals(secretBefore, httpSecret.accepted());
    }

    // Item 3: one wildcard rule, any depth.

    @Test
    void shouldRouteANameSeveralLabelsBelowAWildcardToIt() throws Exception
    {
        assertEquals("wild.w.test", TlsBackend.Client.peerCommonName(tls, "x.y.w.test", "http/1.1"));
        assertEquals("wild.w.test", TlsBackend.Client.peerCommonName(tls, "x.secret.w.test"));
    }

    // Item 9: every host agrees with :authority (h2c); the target's authority agrees with Host (HTTP/1).

    @Test
    void shouldCloseAnH2cFlightWhoseSecondHostDisagreesWithItsAuthority() throws Exception
    {
        final long malformed = router.metrics().total(Counter.PEEK_MALFORMED);
        final int wildBefore = httpWild.accepted();
        assertEquals("", exchange(http, h2cFlight("x.w.test", "x.w.test", "secret.w.test")));
        assertEquals(malformed + 1, router.metrics().total(Counter.PEEK_MALFORMED));
        assertEquals(wildBefore, httpWild.accepted());
        assertTrue(exchange(http, h2cFlight("x.w.test", "x.w.test", "X.W.TEST")).endsWith("http-wild"));
    }

    @Test
    void shouldCloseAnHttp1AbsoluteFormRequestWhoseHostNamesAnotherName() throws Exception
    {
        final long malformed = router.metrics().total(Counter.PEEK_MALFORMED);
        final int wildBefore = httpWild.accepted();
        assertEquals("", exchange(http, ascii("GET http://x.w.test/ HTTP/1.1\r\nHost: secret.w.test\r\n\r\n")));
        assertEquals("", exchange(http, ascii("CONNECT x.w.test:443 HTTP/1.1\r\nHost: secret.w.test:443\r\n\r\n")));
        assertEquals(malformed + 2, router.metrics().total(Counter.PEEK_MALFORMED));
        assertEquals(wildBefore, httpWild.accepted());
        assertTrue(exchange(http, ascii("GET http://x.w.test:80/ HTTP/1.1\r\nHost: X.w.test\r\n\r\n")).endsWith("http-wild"));
        assertTrue(exchange(http, ascii("CONNECT x.w.test:443 HTTP/1.1\r\nHost: x.w.test\r\n\r\n")).endsWith("http-wild"));
    }

    // Item 10: one address normalisation; ALPN beyond 32; duplicate extension types above 63.

    @Test
    void shouldTrustAProxySourceWrittenIpv4MappedAsAllowAndDenyDo() throws Exception
    {
        final byte[] request = ascii("PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\nGET / HTTP/1.1\r\nHost: p.test\r\n\r\n");
        try (Socket client = new Socket())
        {
            client.bind(new InetSocketAddress("127.0.0.2", 0));
            client.connect(trustsMapped, 5_000);
            assertTrue(exchange(client, request).endsWith("proxied"));
        }
        final long refused = router.metrics().total(Counter.REJECTED_PROXY_HEADER);
        assertEquals("", exchange(trustsMapped, request), "127.0.0.1 is not trusted to send a PROXY header");
        assertTrue(router.metrics().total(Counter.REJECTED_PROXY_HEADER) + router.metrics().total(Counter.PEEK_MALFORMED)
            > refused, "the untrusted header is refused and counted");
    }

    @Test
    void shouldRefuseAnIpv4ClientWhenTheDenyListHoldsTheWholeIpv6Space() throws Exception
    {
        final int before = denied.accepted();
        final long refused = router.metrics().total(Counter.REJECTED_ACL);
        assertEquals("", exchange(deniesV6All, ascii("GET / HTTP/1.1\r\nHost: d.test\r\n\r\n")));
        Await.until("the deny is counted", () -> router.metrics().total(Counter.REJECTED_ACL) > refused);
        assertEquals(before, denied.accepted());
    }

    @Test
    void shouldRouteOnAnAlpnIdOfferedAfterTheFirst32() throws Exception
    {
        final String[] offer = new String[40];
        for (int i = 0; i < 39; i++)
        {
            offer[i] = "x-" + i;
        }
        offer[39] = "h2";
        assertEquals("alpn-h2", exchange(tlsRaw, new ClientHelloBuilder().serverName("alpn.w.test").alpn(offer).build()));
        assertEquals("alpn-any", exchange(tlsRaw, new ClientHelloBuilder().serverName("alpn.w.test").alpn("x-1").build()));
    }

    @Test
    void shouldCloseAHelloThatSendsAnExtensionTypeAbove63Twice() throws Exception
    {
        final long malformed = router.metrics().total(Counter.PEEK_MALFORMED);
        final int before = alpnH2.accepted() + alpnAny.accepted();
        assertEquals("", exchange(tlsRaw, helloWithExtensions(sni("alpn.w.test"), extension(0x3374), extension(0x3374))));
        assertEquals(malformed + 1, router.metrics().total(Counter.PEEK_MALFORMED));
        assertEquals(before, alpnH2.accepted() + alpnAny.accepted());
        assertEquals("alpn-any", exchange(tlsRaw, helloWithExtensions(sni("alpn.w.test"), extension(0x3374), extension(0x3375))));
    }

    /** A route with an ALPN condition and {@code allow: [127.0.0.99/32]}. */
    private static RouteConfig guarded(final List<String> hostnames, final List<String> alpn, final InetSocketAddress backend)
    {
        return new RouteConfig(hostnames, alpn,
            List.of(new BackendConfig(new HostPort(backend.getAddress().getHostAddress(), backend.getPort()), 1)),
            RouteConfig.Balance.MAGLEV, RouteConfig.HashKey.SOURCE_IP, RouteConfig.ProxyProtocolOut.NONE, 1_000,
            RouteConfig.DEFAULT_CONNECT_ATTEMPTS, List.of(ONLY_99), List.of(), HealthCheckConfig.DEFAULT);
    }

    /** Reads what the client sent (one burst), answers with an HTTP response whose body is {@code id}, closes. */
    private static void answer(final Socket socket, final String id) throws IOException
    {
        socket.setSoTimeout(10_000);
        final byte[] buffer = new byte[64 * 1024];
        if (socket.getInputStream().read(buffer) < 0)
        {
            return;
        }
        while (socket.getInputStream().available() > 0 && socket.getInputStream().read(buffer) > 0)
        {
            // drain the rest of the burst so the close is a FIN, not a reset
        }
        socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + id.length()
            + "\r\nConnection: close\r\n\r\n" + id));
        socket.getOutputStream().flush();
    }

    /** Sends {@code bytes}, returns the body of the answer ("" when the router closed without one). */
    private static String exchange(final InetSocketAddress to, final byte[] bytes) throws IOException
    {
        try (Socket client = new Socket())
        {
            client.connect(to, 5_000);
            return exchange(client, bytes);
        }
    }

    private static String exchange(final Socket client, final byte[] bytes) throws IOException
    {
        client.setSoTimeout(10_000);
        client.getOutputStream().write(bytes);
        client.getOutputStream().flush();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final InputStream in = client.getInputStream();
        final byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                received.write(buffer, 0, read);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("neither an answer nor a close within 10 s; got " + received, ex);
        }
        catch (final IOException ex)
        {
            // a reset after a refusal reads as a close
        }
        final String text = received.toString(StandardCharsets.ISO_8859_1);
        final int body = text.indexOf("\r\n\r\n");
        return body < 0 ? text : text.substring(body + 4);
    }

    /** Preface, empty SETTINGS, one HEADERS (END_STREAM, END_HEADERS) of literal fields without indexing. */
    private static byte[] h2cFlight(final String authority, final String... hosts)
    {
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82);                                    // :method GET (static 2)
        block.write(0x86);                                    // :scheme http (static 6)
        block.write(0x84);                                    // :path / (static 4)
        literal(block, new byte[] {0x01}, authority);         // :authority, name static 1
        for (final String host : hosts)
        {
            literal(block, new byte[] {0x0f, 0x17}, host);   // host, name static 38 = 15 + 23
        }
        final byte[] payload = block.toByteArray();
        final ByteArrayOutputStream flight = new ByteArrayOutputStream();
        flight.writeBytes(ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        flight.writeBytes(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
        flight.writeBytes(new byte[] {0, 0, (byte)payload.length, 1, 0x05, 0, 0, 0, 1});
        flight.writeBytes(payload);
        return flight.toByteArray();
    }

    private static void literal(final ByteArrayOutputStream block, final byte[] name, final String value)
    {
        block.writeBytes(name);
        block.write(value.length());
        block.writeBytes(ascii(value));
    }

    /** A TLS 1.3-shaped ClientHello record carrying exactly {@code extensions}. */
    private static byte[] helloWithExtensions(final byte[]... extensions)
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (final byte[] extension : extensions)
        {
            all.writeBytes(extension);
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {3, 3});                   // legacy_version
        body.writeBytes(new byte[32]);                        // random
        body.write(0);                                        // legacy_session_id
        body.writeBytes(new byte[] {0, 2, 0x13, 0x01});       // cipher_suites: TLS_AES_128_GCM_SHA256
        body.writeBytes(new byte[] {1, 0});                   // legacy_compression_methods: null
        body.writeBytes(u16(all.size()));
        body.writeBytes(all.toByteArray());
        final int length = body.size();
        final ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(new byte[] {22, 3, 1});
        record.writeBytes(u16(length + 4));
        record.writeBytes(new byte[] {1, 0, (byte)(length >> 8), (byte)length});
        record.writeBytes(body.toByteArray());
        return record.toByteArray();
    }

    private static byte[] sni(final String name)
    {
        final byte[] bytes = ascii(name);
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(u16(bytes.length + 3));
        data.write(0);
        data.writeBytes(u16(bytes.length));
        data.writeBytes(bytes);
        return extension(0, data.toByteArray());
    }

    private static byte[] extension(final int type, final byte[]... data)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = 0;
        for (final byte[] part : data)
        {
            length += part.length;
        }
        out.writeBytes(u16(type));
        out.writeBytes(u16(length));
        for (final byte[] part : data)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] u16(final int value)
    {
        return new byte[] {(byte)(value >> 8), (byte)value};
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private <T extends AutoCloseable> T add(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }
}
