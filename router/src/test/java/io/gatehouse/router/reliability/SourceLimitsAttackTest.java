package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.RawBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, "keep what already holds", against a live router: one source cannot take more than its
 * {@code max_connections_per_source} by holding silent connections open, nor open connections faster than
 * its token bucket; another source is served meanwhile, and the first is served again once it closes one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SourceLimitsAttackTest
{
    @TempDir
    Path dir;

    private static String listener(final String name, final String limits, final int backendPort)
    {
        return "  - name: " + name + "\n"
            + "    address: 127.0.0.1:0\n"
            + "    peek_timeout: 30s\n"
            + "    limits: " + limits + "\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [\"127.0.0.1:" + backendPort + "\"]\n";
    }

    @Test
    void shouldHoldASourceToItsConnectionAndRateLimitsWhileServingOthers() throws Exception
    {
        try (RawBackend backend = new RawBackend("echo", RawBackend::echo);
             RouterUnderTest router = RouterUnderTest.start(dir, "runtime: {workers: 1, drain_timeout: 1s}\n"
                 + "listeners:\n"
                 + listener("capped", "{max_connections_per_source: 3}", backend.address().getPort())
                 + listener("rated", "{new_connections_per_second_per_source: 1, burst: 2}", backend.address().getPort())))
        {
            final InetAddress flooder = InetAddress.getByName("127.0.0.1");
            final InetAddress other = InetAddress.getByName("127.0.0.2");
            final InetSocketAddress capped = router.vip("capped");
            final List<Socket> held = new ArrayList<>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    held.add(connect(capped, flooder));
                }
                Await.until("the three silent connections are open", () -> router.router().metrics().activeConnections() == 3);
                assertFalse(served(capped, flooder), "a fourth connection from the same source is refused");
                assertTrue(served(capped, other), "another source is served meanwhile");
                held.remove(0).close();
                Await.until("one held connection closed", () -> router.router().metrics().activeConnections() == 2);
                assertTrue(served(capped, flooder), "served again once it holds fewer than its limit");
            }
            finally
            {
                for (final Socket socket : held)
                {
                    socket.close();
                }
            }

            final InetSocketAddress rated = router.vip("rated");
            assertTrue(served(rated, flooder), "the burst's first token");
            assertTrue(served(rated, flooder), "the burst's second token");
            assertFalse(served(rated, flooder), "a third connection within the same second is refused");
            assertTrue(served(rated, other), "another source has its own bucket");
        }
    }

    private static Socket connect(final InetSocketAddress vip, final InetAddress from) throws IOException
    {
        final Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(vip, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends a request for a.test from {@code from} and reads its echo; false when the router closes instead. */
    private static boolean served(final InetSocketAddress vip, final InetAddress from) throws IOException
    {
        try (Socket socket = connect(vip, from))
        {
            final byte[] head = Loopback.httpHead("a.test");
            try
            {
                Loopback.write(socket, head);
                Loopback.readExactly(socket.getInputStream(), head.length);
                return true;
            }
            catch (final IOException closed)
            {
                return false;
            }
        }
    }
}
