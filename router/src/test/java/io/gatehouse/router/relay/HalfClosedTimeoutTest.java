package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.log.AccessLog;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code half_closed_timeout}: a real client half-closes, the backend reads the FIN and never answers nor
 * closes; the relay must end the connection as {@code half_closed_timeout} after the listener's short
 * bound (300ms here, against the 60 s default and a 300 s idle timeout), and not before it.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HalfClosedTimeoutTest
{
    private static final long TIMEOUT_MS = 300;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"nio, copy", "epoll, copy", "io_uring, copy", "epoll, splice"})
    void shouldCloseAHalfClosedRelayAfterTheListenersTimeoutNotBefore(
        final String transport, final String relay, @TempDir final Path dir) throws Exception
    {
        assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "epoll not available");
        assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "io_uring not available");
        final Path file = dir.resolve("access.log");
        final CountDownLatch testDone = new CountDownLatch(1);
        try (RawBackend silent = new RawBackend("silent", socket ->
            {
                socket.getInputStream().readAllBytes(); // up to the client's FIN, forwarded
                try
                {
                    testDone.await(30, TimeUnit.SECONDS); // never answers, never closes
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            AccessLog log = AccessLog.open(file.toString(), 1024, line -> { });
            Router router = Router.start(ConfigLoader.parse("runtime: {transport: " + transport + ", workers: 1}\n"
                + "listeners:\n"
                + "  - name: web\n"
                + "    address: 127.0.0.1:0\n"
                + "    relay: " + relay + "\n"
                + "    half_closed_timeout: " + TIMEOUT_MS + "ms\n"
                + "    routes:\n"
                + "      - hostnames: [a.test]\n"
                + "        backends: [\"127.0.0.1:" + silent.address().getPort() + "\"]\n", Path.of("half-closed.yaml"))))
        {
            router.accessLog(() -> log);
            final InetSocketAddress address = router.boundAddress("web");
            try (Socket client = new Socket())
            {
                client.connect(address, 5_000);
                client.setSoTimeout(20_000);
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                final long sentNs = System.nanoTime();
                client.shutdownOutput();
                final InputStream in = client.getInputStream();
                assertEquals(-1, in.read(), "nothing comes back; the router closes");
                final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNs);
                assertTrue(elapsedMs >= TIMEOUT_MS, "closed after " + elapsedMs + "ms, before half_closed_timeout");
                assertTrue(elapsedMs < 10_000, "closed after " + elapsedMs + "ms: the listener's bound was not used");
            }
            finally
            {
                testDone.countDown();
            }
            Await.until("one line", () -> lines(file).size() == 1, () -> lines(file).toString());
            final String line = lines(file).get(0);
            assertTrue(line.contains("\"end\":\"half_closed_timeout\""), line);
        }
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
}
