package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.log.AccessLog;
import io.gatehouse.router.metrics.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The close patterns that broke the data path under real clients (issue 11), replayed over real sockets
 * on every transport and relay mode, each connection one after the other so every one meets the race:
 *
 * <ul>
 * <li>the backend answers and closes, the client reads the answer, writes a few bytes and resets at once
 *     (what wrk does on {@code Connection: close}): on io_uring the reset right behind the bytes was
 *     never reported (Netty's multishot POLL_ADD) and half the connections stayed open;</li>
 * <li>the client sends its request and half-closes, the backend answers and resets: the answer must
 *     reach the client (the copy relay forwarded the FIN to the reset backend, got ENOTCONN, called it an
 *     error and closed the client before the answer was written).</li>
 * </ul>
 *
 * Each asserts every answer delivered, no connection left open, every connection logged exactly once
 * (by id) with the end the rules give, and the router's counters.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseRulesTest
{
    private static final int CONNECTIONS = 150;
    private static final byte[] ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n"
        .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private String config(final String mode, final int backendPort)
    {
        final String[] parts = mode.split("-");
        return "runtime: {workers: 2, drain_timeout: 1s, transport: " + parts[0] + "}\n"
            + "listeners:\n"
            + "  - name: vip\n"
            + "    address: 127.0.0.1:0\n"
            + "    protocol: http\n"
            + "    relay: " + parts[1] + "\n"
            + "    routes:\n"
            + "      - hostnames: [close.test]\n"
            + "        backends: [\"127.0.0.1:" + backendPort + "\"]\n";
    }

    /** Reads a request head (to its blank line) or to end of stream. */
    private static void readHead(final InputStream in) throws IOException
    {
        int state = 0;
        while (state < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                return;
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring-copy", "epoll-copy", "epoll-splice", "nio-copy"})
    void shouldEndEveryConnectionWhenTheClientResetsRightAfterItsLastBytes(final String mode) throws Exception
    {
        try (RawBackend backend = new RawBackend("answer-then-fin", socket ->
            {
                readHead(socket.getInputStream());
                socket.getOutputStream().write(ANSWER);
                socket.close();
            });
             RouterUnderTest router = RouterUnderTest.start(dir, config(mode, backend.address().getPort()));
             AccessLog log = AccessLog.open(dir.resolve("access.log").toString(), 4096, line -> { }))
        {
            router.router().accessLog(() -> log);
            final InetSocketAddress vip = router.vip("vip");
            final int baselineFds = Loopback.openFds();
            for (int i = 0; i < CONNECTIONS; i++)
            {
                try (Socket client = Loopback.connect(vip, 10_000))
                {
                    Loopback.write(client, Loopback.httpHead("close.test"));
                    assertArrayEquals(ANSWER, Loopback.readExactly(client.getInputStream(), ANSWER.length), "answer " + i);
                    Loopback.write(client, new byte[] {21, 3, 3, 0, 2});
                    Loopback.reset(client);
                }
            }
            router.awaitNoConnections();
            assertEquals(CONNECTIONS, router.count(Counter.RELAYED));
            assertEquals(0, router.count(Counter.CONNECT_FAILED), "no connect failure against a healthy backend");
            final Map<String, Integer> ends = endsOnce(CONNECTIONS);
            // backend_reset too: the router may forward the client's last bytes to the backend after the backend's
            // FIN arrived and before the router read it; the backend's kernel answers them with an RST, and at the
            // end of stream TCP_INFO then says TCP_CLOSE (relay.TcpState cannot tell an RST after a FIN from an RST
            // alone). Seen 1 in 150 on io_uring copy.
            assertEquals(CONNECTIONS, ends.getOrDefault("backend_closed", 0) + ends.getOrDefault("client_reset", 0)
                + ends.getOrDefault("client_closed", 0) + ends.getOrDefault("backend_reset", 0), "ends " + ends);
            io.gatehouse.router.Await.until("router fds back to baseline " + baselineFds, () -> Loopback.openFds() <= baselineFds + 4,
                () -> "now " + Loopback.openFds());
            System.out.println("lifecycle: " + mode + " client reset right after its last bytes, " + CONNECTIONS
                + " connections: all answered, 0 left open, ends " + ends);
        }
    }

    /**
     * Every relay: the answer before the backend's reset reaches the client, which then sees a plain
     * close. (A reset while the other side is still sending is answered with a reset of it:
     * {@code SpliceRelayTest.shouldResetTheOtherSideWhenOneSideResetsMidStream}.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"io_uring-copy", "epoll-copy", "epoll-splice", "nio-copy"})
    void shouldDeliverTheAnswerOfABackendThatResetsWhileTheClientHasHalfClosed(final String mode) throws Exception
    {
        try (RawBackend backend = new RawBackend("answer-then-rst", socket ->
            {
                final InputStream in = socket.getInputStream();
                readHead(in);
                while (in.read() >= 0)
                {
                    // To the client's FIN.
                }
                socket.getOutputStream().write(ANSWER);
                Loopback.reset(socket);
            });
             RouterUnderTest router = RouterUnderTest.start(dir, config(mode, backend.address().getPort()));
             AccessLog log = AccessLog.open(dir.resolve("access.log").toString(), 4096, line -> { }))
        {
            router.router().accessLog(() -> log);
            final InetSocketAddress vip = router.vip("vip");
            int lost = 0;
            String firstLoss = null;
            for (int i = 0; i < CONNECTIONS; i++)
            {
                try (Socket client = Loopback.connect(vip, 10_000))
                {
                    Loopback.write(client, Loopback.httpHead("close.test"));
                    client.shutdownOutput();
                    final byte[] got = client.getInputStream().readNBytes(ANSWER.length + 1);
                    if (!java.util.Arrays.equals(ANSWER, got))
                    {
                        lost++;
                        firstLoss = firstLoss != null ? firstLoss : got.length + " bytes: " + new String(got, StandardCharsets.US_ASCII);
                    }
                }
                catch (final IOException ex)
                {
                    lost++;
                    firstLoss = firstLoss != null ? firstLoss : ex.toString();
                }
            }
            router.awaitNoConnections();
            assertEquals(0, lost, "answers lost of " + CONNECTIONS + ", first: " + firstLoss);
            final Map<String, Integer> ends = endsOnce(CONNECTIONS);
            assertEquals(CONNECTIONS, (int)ends.getOrDefault("client_closed", 0), "the client's FIN came first: " + ends);
            System.out.println("lifecycle: " + mode + " backend answers and resets after the client's FIN, " + CONNECTIONS
                + " connections: 0 answers lost, 0 left open, ends " + ends);
        }
    }

    /** Waits for {@code expected} access log lines, checks each id appears once, counts the ends. */
    private Map<String, Integer> endsOnce(final int expected) throws IOException
    {
        final Path log = dir.resolve("access.log");
        io.gatehouse.router.Await.until(expected + " access log lines", () -> lines(log).size() >= expected,
            () -> "have " + lines(log).size());
        final Map<String, Integer> ends = new HashMap<>();
        final java.util.Set<String> ids = new java.util.HashSet<>();
        for (final String line : lines(log))
        {
            final String id = field(line, "\"id\":", ',');
            assertTrue(ids.add(id), "id " + id + " logged twice: " + line);
            ends.merge(field(line, "\"end\":\"", '"'), 1, Integer::sum);
        }
        assertEquals(expected, ids.size(), "one line per connection");
        return ends;
    }

    private static List<String> lines(final Path log)
    {
        try
        {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    private static String field(final String line, final String key, final char end)
    {
        final int start = line.indexOf(key) + key.length();
        return line.substring(start, line.indexOf(end, start));
    }
}
