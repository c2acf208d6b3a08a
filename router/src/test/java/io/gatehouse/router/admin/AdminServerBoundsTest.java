package io.gatehouse.router.admin;

import io.gatehouse.router.LeakGuard;

import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.metrics.MetricsSnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12.4: no admin client can hold the admin endpoint for others. Real sockets that send part of a request
 * and hold it, drip bytes, flood headers or open more connections than the cap.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class AdminServerBoundsTest
{
    private AdminServer server;
    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void close() throws IOException
    {
        for (final Socket socket : held)
        {
            socket.close();
        }
        if (server != null)
        {
            server.close();
        }
    }

    private InetSocketAddress start(final AdminLimits limits, final CountDownLatch reloadGate) throws IOException
    {
        final MetricsRegistry registry = new MetricsRegistry();
        final Readiness readiness = new Readiness();
        readiness.ready();
        server = AdminServer.start(new HostPort("127.0.0.1", 0), new AdminServer.Endpoints(registry, trigger ->
        {
            try
            {
                reloadGate.await(20, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return new ReloadOutcome(ReloadOutcome.Result.APPLIED, "generation 2", 2);
        }, readiness, null, null), AdminAccess.open("127.0.0.1"), limits);
        return server.boundAddress();
    }

    private Socket hold(final InetSocketAddress address, final String partial) throws IOException
    {
        final Socket socket = RawHttp.open(address);
        held.add(socket);
        socket.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static void assertStillOpenAndUnanswered(final Socket socket) throws IOException
    {
        socket.setSoTimeout(50);
        final InputStream in = socket.getInputStream();
        assertThrows(SocketTimeoutException.class, in::read, "a held connection was answered or closed");
    }

    @Test
    void shouldAnswerEveryoneElseWhileSlowClientsHoldHalfARequest() throws Exception
    {
        final CountDownLatch open = new CountDownLatch(0);
        final InetSocketAddress address = start(new AdminLimits(30_000, 64, 4096, 8192, 65536), open);
        final List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            slow.add(hold(address, i % 2 == 0 ? "GET /metr" : "POST /reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nab"));
        }
        for (int round = 0; round < 3; round++)
        {
            assertEquals(200, RawHttp.get(address, "/healthz").status());
            assertEquals(200, RawHttp.get(address, "/ready").status());
            assertEquals(200, RawHttp.get(address, "/metrics").status());
            assertEquals(200, RawHttp.post(address, "/reload").status());
        }
        for (final Socket socket : slow)
        {
            assertStillOpenAndUnanswered(socket);
        }
        final MetricsSnapshot scrape = MetricsSnapshot.parse(RawHttp.get(address, "/metrics").body());
        assertTrue(scrape.sum("gatehouse_admin_connections_open") >= 21, "the 20 held connections and this one");
    }

    @Test
    void shouldKeepAnsweringReadsWhileAReloadRuns() throws Exception
    {
        final CountDownLatch gate = new CountDownLatch(1);
        final InetSocketAddress address = start(AdminLimits.DEFAULT, gate);
        final CompletableFuture<RawHttp.Answer> reload = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return RawHttp.post(address, "/reload");
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        assertEquals(200, RawHttp.get(address, "/healthz").status());
        assertEquals(200, RawHttp.get(address, "/metrics").status());
        assertFalse(reload.isDone(), "the reload is still held by its gate");
        gate.countDown();
        assertEquals(200, reload.get(20, TimeUnit.SECONDS).status());
    }

    @Test
    void shouldAnswer408AndCloseARequestNotDeliveredInTime() throws Exception
    {
        final InetSocketAddress address = start(new AdminLimits(300, 64, 4096, 8192, 65536), new CountDownLatch(0));
        final Socket partial = hold(address, "GET /metr");
        final RawHttp.Answer answer = RawHttp.parse(RawHttp.readToEnd(partial.getInputStream()));
        assertEquals(408, answer.status());

        final Socket idle = hold(address, "");
        assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed without an answer");

        final Socket drip = hold(address, "");
        final byte[] request = ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "X-Slow: " + "a".repeat(200) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        int sent = 0;
        try
        {
            for (; sent < request.length; sent++)
            {
                drip.getOutputStream().write(request[sent]);
                drip.getOutputStream().flush();
                Thread.sleep(20);
            }
        }
        catch (final IOException closed)
        {
            // The server closed the connection while bytes were still dripping in.
        }
        assertTrue(sent < request.length, "a client dripping bytes cannot stretch the deadline (sent all " + sent + ")");
        final MetricsSnapshot scrape = MetricsSnapshot.parse(RawHttp.get(address, "/metrics").body());
        assertTrue(scrape.sum("gatehouse_admin_refused_total", "reason", "timeout") >= 3);
    }

    @Test
    void shouldRefuseConnectionsPastTheCapAndCountThem() throws Exception
    {
        final InetSocketAddress address = start(new AdminLimits(30_000, 4, 4096, 8192, 65536), new CountDownLatch(0));
        final List<Socket> four = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            four.add(hold(address, "GET /"));
        }
        final RawHttp.Answer refused = RawHttp.get(address, "/healthz");
        assertEquals(503, refused.status());
        assertEquals("too many admin connections open\n", refused.body());
        for (final Socket socket : four)
        {
            assertStillOpenAndUnanswered(socket);
        }
        four.get(0).close();
        RawHttp.Answer answer = refused;
        for (int attempt = 0; attempt < 200 && answer.status() == 503; attempt++)
        {
            answer = RawHttp.get(address, "/metrics");
        }
        assertEquals(200, answer.status(), "a slot frees when a held connection closes");
        final MetricsSnapshot scrape = MetricsSnapshot.parse(answer.body());
        assertTrue(scrape.sum("gatehouse_admin_refused_total", "reason", "over_cap") >= 1, answer.body());
    }

    @Test
    void shouldRefuseOversizedRequestLinesHeadersAndBodies() throws Exception
    {
        final InetSocketAddress address = start(new AdminLimits(5_000, 64, 256, 1024, 1024), new CountDownLatch(0));
        assertEquals(414, RawHttp.exchange(address, "GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status());
        assertEquals(431, RawHttp.exchange(address, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(2000)
            + "\r\n\r\n").status());
        assertEquals(413, RawHttp.exchange(address, "POST /reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n"
            + "Connection: close\r\n\r\n").status());
        assertEquals(400, RawHttp.exchange(address, "\u0001\u0002 nonsense\r\n\r\n").status());
        final MetricsSnapshot scrape = MetricsSnapshot.parse(RawHttp.get(address, "/metrics").body());
        assertEquals(3, scrape.sum("gatehouse_admin_refused_total", "reason", "too_large"));
        assertEquals(200, RawHttp.get(address, "/healthz").status(), "still serving");
    }

    @Test
    void shouldServeSeveralRequestsOnOneKeptAliveConnection() throws Exception
    {
        final InetSocketAddress address = start(AdminLimits.DEFAULT, new CountDownLatch(0));
        final AtomicInteger answered = new AtomicInteger();
        try (Socket socket = RawHttp.open(address))
        {
            for (int i = 0; i < 3; i++)
            {
                socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                final byte[] expected = "ok\n".getBytes(StandardCharsets.US_ASCII);
                final StringBuilder text = new StringBuilder();
                while (!text.toString().endsWith("\r\n\r\nok\n"))
                {
                    final int b = socket.getInputStream().read();
                    assertTrue(b >= 0, "closed after " + text);
                    text.append((char)b);
                }
                assertTrue(text.toString().startsWith("HTTP/1.1 200"), text.toString());
                assertEquals(expected.length, Integer.parseInt(RawHttp.parse(text.toString()).header("content-length")));
                answered.incrementAndGet();
            }
        }
        assertEquals(3, answered.get());
    }

    /**
     * Closing the server ends every connection itself, whatever it holds: half a request line, half the
     * headers, a body still arriving. (Left to Netty's loop shutdown, a shutdown that began mid-turn ended the
     * loop with its channels open: sockets never closed, buffers reported leaked by the class's LeakGuard.)
     */
    @Test
    void shouldCloseEveryHeldConnectionAndReleaseItsBytesWhenClosed() throws Exception
    {
        for (int round = 0; round < 10; round++)
        {
            final InetSocketAddress address = start(new AdminLimits(30_000, 64, 4096, 8192, 65536), new CountDownLatch(0));
            final List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 9; i++)
            {
                clients.add(hold(address, switch (i % 3)
                {
                    case 0 -> "GET /metr";
                    case 1 -> "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ";
                    default -> "POST /reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nab";
                }));
            }
            assertEquals(200, RawHttp.get(address, "/healthz").status(), "the server read the held requests' bytes");
            server.close();
            server = null;
            for (final Socket client : clients)
            {
                client.setSoTimeout(2_000);
                try
                {
                    assertEquals(-1, client.getInputStream().read(), "a held connection got bytes instead of its end");
                }
                catch (final java.net.SocketException reset)
                {
                    // Closed with the client's bytes unread: a reset is the end too.
                }
                catch (final SocketTimeoutException open)
                {
                    throw new AssertionError("round " + round + ": a held connection is still open after close()", open);
                }
            }
        }
    }
}
