package io.gatehouse.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.metrics.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Real clients through the router to real backends on loopback: JDK TLS client and openssl s_client to
 * JDK TLS backends with distinct identities; curl to HTTP/1.1 backends by Host and to h2c backends by
 * :authority. Exact, wildcard (most specific wins), ALPN condition, default, and reject (alert 112, 421).
 */
@ExtendWith(LeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RoutingEndToEndTest
{
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Router router;
    private InetSocketAddress tlsWithDefault;
    private InetSocketAddress tlsRejecting;
    private InetSocketAddress http;

    @BeforeAll
    void start(@TempDir final Path keys) throws Exception
    {
        final String[] names = {"a.example.test", "wild.example.test", "deep.example.test", "fallback.test", "h2.example.test"};
        final List<CompletableFuture<Path>> stores = new ArrayList<>();
        for (final String name : names)
        {
            stores.add(CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return TlsBackend.keystore(keys, name);
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }));
        }
        final TlsBackend a = add(TlsBackend.start("a", stores.get(0).get()));
        final TlsBackend wild = add(TlsBackend.start("wild", stores.get(1).get()));
        final TlsBackend deep = add(TlsBackend.start("deep", stores.get(2).get()));
        final TlsBackend fallback = add(TlsBackend.start("fallback", stores.get(3).get()));
        final TlsBackend h2 = add(TlsBackend.start("h2", stores.get(4).get()));

        final HttpServer httpA = httpBackend("http-a");
        final HttpServer httpB = httpBackend("http-b");
        final RawBackend h2cA = add(new RawBackend("h2c-a", socket -> serveH2c(socket, "h2c-a")));

        final List<RouteConfig> tlsRoutes = List.of(
            TestConfigs.route(List.of("a.example.test"), a.address()),
            TestConfigs.route(List.of("*.example.test"), wild.address()),
            TestConfigs.route(List.of("*.deep.example.test"), deep.address()),
            TestConfigs.route(List.of("alpn.example.test"), List.of("h2"), RouteConfig.ProxyProtocolOut.NONE, h2.address()),
            TestConfigs.route(List.of("alpn.example.test"), a.address()),
            TestConfigs.route(List.of("fallback.test"), fallback.address()));
        router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 2,
            TestConfigs.listener("tls-default", tlsRoutes.toArray(new RouteConfig[0]))
                .protocol(ListenerConfig.Protocol.TLS).defaultRoute("fallback.test"),
            TestConfigs.listener("tls-reject", tlsRoutes.toArray(new RouteConfig[0])).protocol(ListenerConfig.Protocol.TLS),
            TestConfigs.listener("http",
                TestConfigs.route(List.of("a.http.test"), (InetSocketAddress)httpA.getAddress()),
                TestConfigs.route(List.of("*.http.test"), (InetSocketAddress)httpB.getAddress()),
                TestConfigs.route(List.of("h2c.test"), h2cA.address()))));
        tlsWithDefault = router.boundAddress("tls-default");
        tlsRejecting = router.boundAddress("tls-reject");
        http = router.boundAddress("http");
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

    @Test
    void shouldRouteAnExactNameToItsBackend() throws Exception
    {
        assertEquals("a.example.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "a.example.test"));
    }

    @Test
    void shouldRouteNamesWhateverTheirCase() throws Exception
    {
        assertEquals("a.example.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "A.Example.TEST"));
    }

    @Test
    void shouldRouteAWildcardMatchToItsBackend() throws Exception
    {
        assertEquals("wild.example.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "x.example.test"));
        assertEquals("wild.example.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "y.x.example.test"));
    }

    @Test
    void shouldPreferTheMostSpecificWildcard() throws Exception
    {
        assertEquals("deep.example.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "x.deep.example.test"));
    }

    @Test
    void shouldHonourAnAlpnConditionAndFallBackToTheRouteWithoutOne() throws Exception
    {
        assertEquals("h2.example.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "alpn.example.test", "h2", "http/1.1"));
        assertEquals("a.example.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "alpn.example.test", "http/1.1"));
    }

    @Test
    void shouldSendUnknownNamesAndNoNameToTheDefaultRoute() throws Exception
    {
        assertEquals("fallback.test", TlsBackend.Client.peerCommonName(tlsWithDefault, "unknown.test"));
        assertEquals("fallback.test", TlsBackend.Client.peerCommonName(tlsWithDefault, null));
    }

    @Test
    void shouldRejectAnUnknownNameWithAlertUnrecognizedName()
    {
        final long before = router.metrics().total(Counter.REJECTED_NO_ROUTE);
        final SSLException ex = assertThrows(SSLException.class,
            () -> TlsBackend.Client.peerCommonName(tlsRejecting, "unknown.test"));
        assertTrue(String.valueOf(ex.getMessage()).contains("unrecognized_name"), ex.getMessage());
        assertTrue(router.metrics().total(Counter.REJECTED_NO_ROUTE) > before);
    }

    @Test
    void shouldRouteAClientHelloSplitIntoManyRecordsFromOpenssl() throws Exception
    {
        assumeTrue(Cli.available("openssl"), "openssl not installed");
        // OpenSSL 3 permits 512 as the smallest fragment; twelve long ALPN names make the hello ~700 bytes,
        // so it travels in two handshake records.
        final StringBuilder alpn = new StringBuilder();
        for (int i = 0; i < 12; i++)
        {
            alpn.append(i == 0 ? "" : ",").append("proto-").append(i).append("-padding-the-hello-out");
        }
        final String output = Cli.run(List.of("openssl", "s_client", "-connect", hostPort(tlsRejecting),
            "-servername", "x.deep.example.test", "-max_send_frag", "512", "-alpn", alpn.toString(), "-brief"));
        assertTrue(output.contains("deep.example.test"), output);
    }

    @Test
    void shouldShowOpensslTheUnrecognizedNameAlert() throws Exception
    {
        assumeTrue(Cli.available("openssl"), "openssl not installed");
        final String output = Cli.run(List.of("openssl", "s_client", "-connect", hostPort(tlsRejecting),
            "-servername", "nowhere.test", "-brief"));
        assertTrue(output.contains("unrecognized name") || output.contains("alert number 112"), output);
    }

    @Test
    void shouldRouteHttp1ByHostWithCurl() throws Exception
    {
        assumeTrue(Cli.available("curl"), "curl not installed");
        assertEquals("http-a", curl("a.http.test"));
        assertEquals("http-b", curl("b.http.test"));
    }

    @Test
    void shouldAnswerAnUnknownHostWith421() throws Exception
    {
        assumeTrue(Cli.available("curl"), "curl not installed");
        assertEquals("421", Cli.run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
            "--resolve", "nowhere.test:" + http.getPort() + ":127.0.0.1", "http://nowhere.test:" + http.getPort() + "/")));
    }

    @Test
    void shouldRouteH2cByAuthorityWithCurl() throws Exception
    {
        assumeTrue(Cli.available("curl"), "curl not installed");
        assertEquals("h2c-a", Cli.run(List.of("curl", "-s", "--http2-prior-knowledge", "--max-time", "10",
            "--resolve", "h2c.test:" + http.getPort() + ":127.0.0.1", "http://h2c.test:" + http.getPort() + "/")));
    }

    @Test
    void shouldAnswerAnUnknownH2cAuthorityWith421() throws Exception
    {
        assumeTrue(Cli.available("curl"), "curl not installed");
        assertEquals("421", Cli.run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--http2-prior-knowledge",
            "--max-time", "10", "--resolve", "nowhere.test:" + http.getPort() + ":127.0.0.1",
            "http://nowhere.test:" + http.getPort() + "/")));
    }

    private String curl(final String host) throws Exception
    {
        return Cli.run(List.of("curl", "-s", "--max-time", "10", "--resolve", host + ":" + http.getPort() + ":127.0.0.1",
            "http://" + host + ":" + http.getPort() + "/"));
    }

    private static String hostPort(final InetSocketAddress address)
    {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    private <T extends AutoCloseable> T add(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    private HttpServer httpBackend(final String body) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange ->
        {
            final byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        });
        server.start();
        closeables.add(() -> server.stop(0));
        return server;
    }

    /** A minimal h2c server: answers stream 1 with 200 and {@code body}, whatever was asked. */
    private static void serveH2c(final java.net.Socket socket, final String body) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final byte[] preface = in.readNBytes(24);
        if (!new String(preface, StandardCharsets.US_ASCII).startsWith("PRI * HTTP/2.0"))
        {
            return;
        }
        final byte[] payload = body.getBytes(StandardCharsets.US_ASCII);
        final OutputStream out = socket.getOutputStream();
        out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
        out.write(new byte[] {0, 0, 0, 4, 1, 0, 0, 0, 0});
        out.write(new byte[] {0, 0, 1, 1, 4, 0, 0, 0, 1, (byte)0x88});
        out.write(new byte[] {0, 0, (byte)payload.length, 0, 1, 0, 0, 0, 1});
        out.write(payload);
        out.flush();
        final byte[] sink = new byte[4096];
        while (in.read(sink) >= 0)
        {
            // until curl closes
        }
    }
}
