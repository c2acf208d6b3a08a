package io.gatehouse.router.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.RuntimeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13.3's last bullet: connections whose route or backend a reload removed are closed once
 * {@code runtime.removed_route_drain} has passed, and counted; connections on what still serves are not.
 * A short grace stands in for the 30 s default.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemovedRouteDrainTest
{
    private static String config(final InetSocketAddress a, final InetSocketAddress b, final boolean withB, final String drain)
    {
        return "runtime: {workers: 2, removed_route_drain: " + drain + "}\n"
            + "listeners:\n"
            + "  - name: public\n"
            + "    address: 127.0.0.1:0\n"
            + "    protocol: http\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [127.0.0.1:" + a.getPort() + "]\n"
            + (withB ? "      - hostnames: [b.test]\n        backends: [127.0.0.1:" + b.getPort() + "]\n" : "");
    }

    private static Socket open(final InetSocketAddress vip, final String host) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(vip, 5_000);
        socket.setSoTimeout(10_000);
        echo(socket, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        return socket;
    }

    private static void echo(final Socket socket, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        final byte[] back = socket.getInputStream().readNBytes(bytes.length);
        assertEquals(text, new String(back, StandardCharsets.US_ASCII));
    }

    private static boolean closedByPeer(final Socket socket)
    {
        try
        {
            final InputStream in = socket.getInputStream();
            return in.read() < 0;
        }
        catch (final IOException reset)
        {
            return true;
        }
    }

    @Test
    void shouldCloseConnectionsOfARemovedRouteOrBackendAfterTheGraceAndCountThem() throws Exception
    {
        try (RawBackend a = new RawBackend("a", RawBackend::echo);
             RawBackend a2 = new RawBackend("a2", RawBackend::echo);
             RawBackend b = new RawBackend("b", RawBackend::echo))
        {
            final Path name = Path.of("gatehouse.yaml");
            try (Router router = Router.start(ConfigLoader.parse(config(a.address(), b.address(), true, "300ms"), name)))
            {
                final InetSocketAddress vip = router.boundAddress("public");
                final Socket onA = open(vip, "a.test");
                final Socket onB = open(vip, "b.test");

                router.reload(ConfigLoader.parse(config(a.address(), b.address(), false, "300ms"), name));
                assertTrue(closedByPeer(onB), "the removed route's connection is closed after the grace");
                onB.close();
                echo(onA, "a.test still serves");
                Await.until("counted", () -> router.metrics().operatorCloses(
                    io.gatehouse.router.metrics.RouterMetrics.OperatorClose.ROUTE_REMOVED) == 1);

                router.reload(ConfigLoader.parse(config(a2.address(), b.address(), false, "300ms"), name));
                assertTrue(closedByPeer(onA), "a connection to a backend the reload removed from its route is closed");
                onA.close();
                Await.until("counted", () -> router.metrics().operatorCloses(
                    io.gatehouse.router.metrics.RouterMetrics.OperatorClose.ROUTE_REMOVED) == 2);
                try (Socket onA2 = open(vip, "a.test"))
                {
                    echo(onA2, "the new backend serves");
                }
            }
        }
    }

    /** The grace (5 s) is long enough that the two reloads land inside it on a loaded 2-core machine. */
    @Test
    void shouldLeaveConnectionsAloneWhenTheRouteIsBackBeforeTheGraceEnds() throws Exception
    {
        try (RawBackend a = new RawBackend("a", RawBackend::echo);
             RawBackend b = new RawBackend("b", RawBackend::echo))
        {
            final Path name = Path.of("gatehouse.yaml");
            try (Router router = Router.start(ConfigLoader.parse(config(a.address(), b.address(), true, "5s"), name)))
            {
                final InetSocketAddress vip = router.boundAddress("public");
                final Socket onB = open(vip, "b.test");
                router.reload(ConfigLoader.parse(config(a.address(), b.address(), false, "5s"), name));
                router.reload(ConfigLoader.parse(config(a.address(), b.address(), true, "5s"), name));
                onB.setSoTimeout(6_500);
                assertTrue(readTimesOut(onB), "b.test is back: its connection is not closed (closes counted: "
                    + router.metrics().operatorCloses(io.gatehouse.router.metrics.RouterMetrics.OperatorClose.ROUTE_REMOVED) + ")");
                echo(onB, "still relaying");
                onB.close();
                assertEquals(0, router.metrics().operatorCloses(io.gatehouse.router.metrics.RouterMetrics.OperatorClose.ROUTE_REMOVED));
            }
        }
    }

    /**
     * A reload shortly before the one that removes a route must not cut the removed route's connections when
     * its own grace ends: each reload's grace closes only what that reload stopped serving.
     */
    @Test
    void shouldGiveARouteRemovedByALaterReloadThatReloadsWholeGrace() throws Exception
    {
        try (RawBackend a = new RawBackend("a", RawBackend::echo);
             RawBackend b = new RawBackend("b", RawBackend::echo))
        {
            final Path name = Path.of("gatehouse.yaml");
            try (Router router = Router.start(ConfigLoader.parse(config(a.address(), b.address(), true, "3s"), name)))
            {
                final InetSocketAddress vip = router.boundAddress("public");
                final Socket onB = open(vip, "b.test");
                router.reload(ConfigLoader.parse(config(a.address(), b.address(), true, "3s").replace("a.test", "a2.test"), name));
                Thread.sleep(1_500);
                final long removedNs = System.nanoTime();
                router.reload(ConfigLoader.parse(config(a.address(), b.address(), false, "3s"), name));
                onB.setSoTimeout(1_000);
                final boolean openAfterFirstGrace = readTimesOut(onB);
                if (System.nanoTime() - removedNs < 2_500_000_000L)
                {
                    assertTrue(openAfterFirstGrace, "the first reload's grace ended, but the removing reload's had not");
                    echo(onB, "still relaying");
                }
                onB.setSoTimeout(10_000);
                assertTrue(closedByPeer(onB), "closed once the removing reload's grace ends");
                assertTrue(System.nanoTime() - removedNs >= 3_000_000_000L, "not before that grace");
                onB.close();
            }
        }
    }

    @Test
    void shouldDefaultTo30Seconds() throws Exception
    {
        assertEquals(30_000, ConfigLoader.parse("listeners:\n  - address: 127.0.0.1:0\n"
            + "    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n", Path.of("g.yaml")).runtime().removedRouteDrainMs());
        assertEquals(RuntimeConfig.DEFAULT_REMOVED_ROUTE_DRAIN_MS, RuntimeConfig.DEFAULT.removedRouteDrainMs());
    }

    private static boolean readTimesOut(final Socket socket)
    {
        try
        {
            final int b = socket.getInputStream().read();
            throw new AssertionError("read " + b);
        }
        catch (final java.net.SocketTimeoutException expected)
        {
            return true;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("read failed", ex);
        }
    }
}
