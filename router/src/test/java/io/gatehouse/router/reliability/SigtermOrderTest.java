package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.RouterProcessHandle;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way out of {@code gatehouse run} in front of a routing daemon: on SIGTERM {@code /ready} turns
 * 503 at once while the listener still accepts and routes new connections for
 * {@code runtime.drain_settle}; only then does the drain close the listener, let open connections
 * finish and exit 0. The settle here is ten minutes and a second SIGTERM ends it, so the test watches
 * each phase for as long as it likes and never races a timer.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SigtermOrderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerNotReadyAndKeepAcceptingUntilTheSettleEndsThenDrain() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path file = dir.resolve("gatehouse.yaml");
            Files.writeString(file, "runtime: {workers: 1, drain_timeout: 20s, drain_settle: 10m}\n"
                + "listeners:\n"
                + "  - name: vip\n"
                + "    address: 127.0.0.1:" + vipPort + "\n"
                + "    protocol: http\n"
                + "    routes:\n"
                + "      - hostnames: [a.test]\n"
                + "        backends: [\"127.0.0.1:" + echo.address().getPort() + "\"]\n"
                + "admin: {address: \"127.0.0.1:" + adminPort + "\"}\n");
            try (RouterProcessHandle router = RouterProcessHandle.start(dir, file, 4096))
            {
                final InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
                assertEquals(200, ready(adminPort), router.stderr());
                final Socket before = Loopback.connect(vip, 10_000);
                Loopback.roundTrip(before, Loopback.httpHead("a.test"));

                router.signal("TERM");
                Await.until("/ready answers 503", () -> ready(adminPort) == 503, router::stderr);
                Await.until("the settle is announced", () -> router.stderr().contains("gatehouse: withdrawing"), router::stderr);
                for (int i = 0; i < 20; i++)
                {
                    try (Socket during = Loopback.connect(vip, 10_000))
                    {
                        Loopback.roundTrip(during, Loopback.httpHead("a.test"));
                        Loopback.roundTrip(during, Loopback.payload(i, 4096));
                    }
                }
                Loopback.roundTrip(before, Loopback.payload(99, 4096));
                assertEquals(503, ready(adminPort), "still withdrawn");
                assertFalse(router.stderr().contains("gatehouse: draining"), router.stderr());

                router.signal("TERM");
                Await.until("the listener closes once the settle ends", () -> Loopback.refuses(vip), router::stderr);
                assertTrue(router.process().isAlive(), "the open connection holds the drain: " + router.stderr());
                Loopback.roundTrip(before, Loopback.payload(100, 4096));
                before.shutdownOutput();
                assertEquals(Loopback.End.EOF, Loopback.readToEnd(before), "a clean close after the drain");
                before.close();
                assertTrue(router.process().waitFor(15, TimeUnit.SECONDS), router.stderr());
                assertEquals(0, router.process().exitValue(), router.stderr());
                final String log = router.stderr();
                assertTrue(log.indexOf("gatehouse: withdrawing") < log.indexOf("gatehouse: draining"), log);
                assertTrue(log.contains("settle cut short by a second signal"), log);
                assertFalse(log.contains("drain timeout"), log);
                assertFalse(log.contains("LEAK:"), log);
            }
        }
    }

    private static int ready(final int adminPort)
    {
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)new URL("http://127.0.0.1:" + adminPort + "/ready").openConnection();
            connection.setConnectTimeout(2_000);
            connection.setReadTimeout(5_000);
            try
            {
                return connection.getResponseCode();
            }
            finally
            {
                connection.disconnect();
            }
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }
}
