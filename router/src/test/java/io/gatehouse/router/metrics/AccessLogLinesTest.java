package io.gatehouse.router.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.log.AccessLog;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * One access log line per client connection, relayed or refused at the peek or by the listener's allow/deny,
 * with the SNI, the end, the listener's address, the backend connection's local address and every backend
 * tried; and the per-listener counters of the same connections in a scrape.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogLinesTest
{
    @Test
    void shouldWriteALinePerConnectionWithNameRouteAndEnd(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("access.log");
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo);
            AccessLog log = AccessLog.open(file.toString(), 1024, line -> { });
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("web", TestConfigs.route(List.of("known.test"), echo.address())))))
        {
            router.accessLog(() -> log);
            final InetSocketAddress address = router.boundAddress("web");
            final byte[] hello = new ClientHelloBuilder().serverName("known.test").alpn("h2").build();
            try (Socket client = connect(address))
            {
                client.getOutputStream().write(hello);
                client.shutdownOutput();
                assertEquals(hello.length, client.getInputStream().readAllBytes().length);
            }
            try (Socket client = connect(address))
            {
                client.getOutputStream().write(new ClientHelloBuilder().serverName("unknown.test").build());
                client.getInputStream().readAllBytes();
            }
            Await.until("two lines", () -> lines(file).size() == 2, () -> lines(file).toString());
            final String relayed = lines(file).stream().filter(l -> l.contains("known.test\"")).findFirst().orElseThrow();
            assertTrue(relayed.contains("\"name\":\"known.test\"") && relayed.contains("\"route\":\"known.test\"")
                && relayed.contains("\"alpn\":\"h2\"") && relayed.contains("\"protocol\":\"tls\"")
                && relayed.contains("\"bytes_in\":" + hello.length) && relayed.contains("\"end\":\"client_closed\""), relayed);
            final String refused = lines(file).stream().filter(l -> l.contains("unknown.test")).findFirst().orElseThrow();
            assertTrue(refused.contains("\"end\":\"no_route\"") && refused.contains("\"route\":null"), refused);
        }
    }

    /**
     * Two listeners on real sockets. "web": a.test has a closed port and an echo as backends, round robin: of
     * two connections in a row at least one starts at the closed port (a two-entry rotation, and a refused
     * attempt moves it on once more), connects to the echo on its second attempt and names both; dead.test's
     * two backends are both closed ports. "other": b.test to the echo, allow 127.0.0.1 and 127.0.0.2, deny 127.0.0.2.
     * On each transport (the backend channel's local address is the transport's to report).
     */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void shouldLogBackendsTriedUpstreamLocalAndRefusalsAndCountPerListener(final String transport, @TempDir final Path dir)
        throws Exception
    {
        final Path file = dir.resolve("access.log");
        final LinkedBlockingQueue<InetSocketAddress> peersSeen = new LinkedBlockingQueue<>();
        final int closed = closedPort();
        final int closed2 = closedPort();
        try (RawBackend echo = new RawBackend("echo", socket ->
            {
                peersSeen.add((InetSocketAddress)socket.getRemoteSocketAddress());
                RawBackend.echo(socket);
            });
            AccessLog log = AccessLog.open(file.toString(), 1024, line -> { }))
        {
            final int good = echo.address().getPort();
            final Path yaml = dir.resolve("gatehouse.yaml");
            Files.writeString(yaml, "runtime: {workers: 1, transport: " + transport + "}\n"
                + "listeners:\n"
                + "  - name: web\n"
                + "    address: 127.0.0.1:0\n"
                + "    protocol: http\n"
                + "    routes:\n"
                + "      - hostnames: [a.test]\n"
                + "        backends: [127.0.0.1:" + closed + ", 127.0.0.1:" + good + "]\n"
                + "        balance: round_robin\n"
                + "      - hostnames: [dead.test]\n"
                + "        backends: [127.0.0.1:" + closed + ", 127.0.0.1:" + closed2 + "]\n"
                + "  - name: other\n"
                + "    address: 127.0.0.1:0\n"
                + "    protocol: http\n"
                + "    allow: [127.0.0.1/32, 127.0.0.2/32]\n"
                + "    deny: [127.0.0.2/32]\n"
                + "    routes:\n"
                + "      - hostnames: [b.test]\n"
                + "        backends: [127.0.0.1:" + good + "]\n");
            try (Router router = Router.start(ConfigLoader.load(yaml)))
            {
                assertEquals(transport, router.transport().name().toLowerCase(java.util.Locale.ROOT));
                router.accessLog(() -> log);
                final InetSocketAddress web = router.boundAddress("web");
                final InetSocketAddress other = router.boundAddress("other");
                final long before = System.currentTimeMillis();
                final int webBytes = echo(web, null, "a.test") + echo(web, null, "a.test");
                final int otherBytes = echo(other, null, "b.test");
                refused(web, null, "dead.test");
                refused(web, null, "nobody.test");
                refused(other, "127.0.0.2", "b.test");
                refused(other, "127.0.0.3", "b.test");
                Await.until("seven lines", () -> lines(file).size() == 7, () -> lines(file).toString());
                final long after = System.currentTimeMillis();
                final List<String> lines = lines(file);

                final List<String> relayed = lines.stream().filter(l -> "a.test".equals(field(l, "name"))).toList();
                assertEquals(2, relayed.size(), lines.toString());
                final Set<Integer> peerPorts = Set.of(peersSeen.poll(5, TimeUnit.SECONDS).getPort(),
                    peersSeen.poll(5, TimeUnit.SECONDS).getPort(), peersSeen.poll(5, TimeUnit.SECONDS).getPort());
                int retried = 0;
                for (final String line : relayed)
                {
                    assertEquals("client_closed", field(line, "end"), line);
                    if (field(line, "connect_attempts").equals("2"))
                    {
                        retried++;
                        assertEquals("[\"127.0.0.1:" + closed + "\",\"127.0.0.1:" + good + "\"]", field(line, "backends_tried"), line);
                    }
                    else
                    {
                        assertEquals("1", field(line, "connect_attempts"), line);
                        assertEquals("[\"127.0.0.1:" + good + "\"]", field(line, "backends_tried"), line);
                    }
                    assertEquals("127.0.0.1:" + good, field(line, "backend"), line);
                    assertEquals("127.0.0.1:" + web.getPort(), field(line, "listener_address"), line);
                    final String upstream = field(line, "upstream_local");
                    assertTrue(upstream.startsWith("127.0.0.1:"), line);
                    assertTrue(peerPorts.contains(Integer.parseInt(upstream.substring("127.0.0.1:".length()))),
                        "upstream_local is the peer the backend saw " + peerPorts + ": " + line);
                    final Instant accepted = Instant.parse(field(line, "accept_time"));
                    final Instant ended = Instant.parse(field(line, "time"));
                    assertTrue(!accepted.isAfter(ended) && accepted.toEpochMilli() >= before - 1 && ended.toEpochMilli() <= after, line);
                }
                assertNotEquals(field(relayed.get(0), "upstream_local"), field(relayed.get(1), "upstream_local"));
                assertTrue(retried >= 1, "one of two connections in a row started at the closed port: " + relayed);

                final String viaOther = only(lines, "name", "b.test", "end", "client_closed");
                assertEquals("1", field(viaOther, "connect_attempts"), viaOther);
                assertEquals("[\"127.0.0.1:" + good + "\"]", field(viaOther, "backends_tried"), viaOther);
                assertEquals("127.0.0.1:" + other.getPort(), field(viaOther, "listener_address"), viaOther);

                final String failed = only(lines, "name", "dead.test", "end", "connect_failed");
                assertEquals("2", field(failed, "connect_attempts"), failed);
                final String tried = field(failed, "backends_tried");
                assertTrue(tried.equals("[\"127.0.0.1:" + closed + "\",\"127.0.0.1:" + closed2 + "\"]")
                    || tried.equals("[\"127.0.0.1:" + closed2 + "\",\"127.0.0.1:" + closed + "\"]"), failed);
                assertEquals("null", field(failed, "backend"), failed);
                assertEquals("null", field(failed, "upstream_local"), failed);
                assertEquals("dead.test", field(failed, "route"), failed);

                final String noRoute = only(lines, "name", "nobody.test", "end", "no_route");
                assertEquals("0", field(noRoute, "connect_attempts"), noRoute);
                assertEquals("[]", field(noRoute, "backends_tried"), noRoute);

                final String denied = only(lines, "listener", "other", "end", "rejected_deny");
                assertTrue(field(denied, "client").startsWith("127.0.0.2:"), denied);
                assertEquals("127.0.0.1:" + other.getPort(), field(denied, "listener_address"), denied);
                assertEquals("0", field(denied, "connect_attempts"), denied);
                assertEquals("null", field(denied, "peek_us"), denied);
                final String notAllowed = only(lines, "listener", "other", "end", "rejected_not_allowed");
                assertTrue(field(notAllowed, "client").startsWith("127.0.0.3:"), notAllowed);

                final MetricsRegistry registry = new MetricsRegistry();
                registry.register(router.metrics());
                final String text = registry.scrape();
                final MetricsSnapshot scrape = MetricsSnapshot.parse(text);
                assertEquals(4, scrape.sum("gatehouse_connections_accepted_total", "listener", "web"), text);
                assertEquals(3, scrape.sum("gatehouse_connections_accepted_total", "listener", "other"), text);
                assertEquals(4, scrape.sum("gatehouse_connections_closed_total", "listener", "web"), text);
                assertEquals(0, scrape.sum("gatehouse_connections_active", "listener", "web"), text);
                assertEquals(0, scrape.sum("gatehouse_connections_active", "listener", "other"), text);
                assertEquals(webBytes, scrape.sum("gatehouse_client_to_backend_bytes_total", "listener", "web"), text);
                assertEquals(webBytes, scrape.sum("gatehouse_backend_to_client_bytes_total", "listener", "web"), text);
                assertEquals(otherBytes, scrape.sum("gatehouse_client_to_backend_bytes_total", "listener", "other"), text);
                assertEquals(otherBytes, scrape.sum("gatehouse_backend_to_client_bytes_total", "listener", "other"), text);
                assertEquals(retried, scrape.sum("gatehouse_backend_connect_failures_by_backend_total", "listener", "web", "route",
                    "a.test", "backend", "127.0.0.1:" + closed), text);
                // Every accepted connection has a whole-connection duration: under its route, or route="" when none took it.
                assertEquals(4, scrape.sum("gatehouse_connection_duration_seconds_count", "listener", "web"), text);
                assertEquals(1, scrape.sum("gatehouse_connection_duration_seconds_count", "listener", "web", "route", ""), text);
                assertEquals(1, scrape.sum("gatehouse_connection_duration_seconds_count", "listener", "web", "route", "dead.test"), text);
                assertEquals(3, scrape.sum("gatehouse_connection_duration_seconds_count", "listener", "other"), text);
                assertEquals(2, scrape.sum("gatehouse_connection_duration_seconds_count", "listener", "other", "route", ""), text);
                // Every decided peek has a duration; refusals at accept never peeked; only relays have a connect time.
                assertEquals(4, scrape.sum("gatehouse_peek_duration_seconds_count", "listener", "web"), text);
                assertEquals(0, scrape.sum("gatehouse_peek_duration_seconds_count", "listener", "other", "route", ""), text);
                assertEquals(0, scrape.sum("gatehouse_backend_connect_duration_seconds_count", "route", "dead.test"), text);
                assertEquals(2, scrape.sum("gatehouse_backend_connect_duration_seconds_count", "route", "a.test"), text);
            }
        }
    }

    /** A port nothing listens on (bound, then closed): a connect to it is refused. */
    private static int closedPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /** One HTTP request for {@code host} through the echo; returns the bytes each way. */
    private static int echo(final InetSocketAddress address, final String from, final String host) throws IOException
    {
        final byte[] request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket client = connect(address, from))
        {
            client.getOutputStream().write(request);
            client.shutdownOutput();
            assertEquals(request.length, client.getInputStream().readAllBytes().length, "the echo came back whole");
        }
        return request.length;
    }

    /** One HTTP request the router refuses; reads until it closes. */
    private static void refused(final InetSocketAddress address, final String from, final String host) throws IOException
    {
        try (Socket client = connect(address, from))
        {
            client.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.getInputStream().readAllBytes();
        }
        catch (final java.net.SocketException ex)
        {
            // a refusal at accept may reset: the line is what this test reads
        }
    }

    /** The one line whose {@code key} is {@code value} and {@code key2} is {@code value2}. */
    private static String only(final List<String> lines, final String key, final String value, final String key2, final String value2)
    {
        final List<String> found = lines.stream().filter(l -> value.equals(field(l, key)) && value2.equals(field(l, key2))).toList();
        assertEquals(1, found.size(), key + "=" + value + ", " + key2 + "=" + value2 + " in " + lines);
        return found.get(0);
    }

    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\":(null|-?\\d+|\"(?:[^\"\\\\]|\\\\.)*\"|\\[[^\\]]*\\])");

    /** A key's value in an access log line: a string unquoted, anything else (number, null, array) as written. */
    private static String field(final String line, final String key)
    {
        final Matcher matcher = FIELD.matcher(line);
        while (matcher.find())
        {
            if (matcher.group(1).equals(key))
            {
                final String value = matcher.group(2);
                return value.startsWith("\"") ? value.substring(1, value.length() - 1) : value;
            }
        }
        throw new AssertionError("no " + key + " in " + line);
    }

    private static List<String> lines(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    private static Socket connect(final InetSocketAddress address) throws IOException
    {
        return connect(address, null);
    }

    /** A client socket to {@code address}, bound to the local address {@code from} when one is given. */
    private static Socket connect(final InetSocketAddress address, final String from) throws IOException
    {
        final Socket socket = new Socket();
        if (from != null)
        {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }
}
