package io.gatehouse.router.reliability;


import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.RouterProcessHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * File-descriptor exhaustion (sniproxy #89 spun at 100% CPU on EMFILE): the router runs as a child under
 * {@code ulimit -n 256}; 400 clients hold connections open in the peek, which uses up its fds. While the
 * limit is hit the router must back off (its CPU time is sampled over 2 s and must stay far below a
 * spinning core), log the failure, keep serving what it holds, and serve new clients again once the held
 * connections close.
 *
 * <p>It runs on epoll (what {@code transport: auto} picks) and on io_uring. Netty 4.2.18's
 * multishot accept spun on io_uring (about 3,500 EMFILE warnings a second, 30% of a core) until the
 * listener took single-shot accepts and its own back-off ({@code AcceptBackoff}); the failures are
 * counted in {@code gatehouse_accept_errors_total}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FdExhaustionTest
{
    private static final int FD_LIMIT = 256;
    private static final int HELD = 400;
    private static final long SAMPLE_MS = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void shouldBackOffWithoutSpinningAndServeAgainOnceFdsFree(final String transport) throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path config = FdLimitConfig.write(dir, transport, vipPort, adminPort, echo.address().getPort(), "");
            final InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
            try (RouterProcessHandle router = RouterProcessHandle.start(dir, config, FD_LIMIT))
            {
                final InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
                serveOne(vip, 0);
                final int baselineFds = router.openFds();

                final List<Socket> held = new ArrayList<>();
                for (int i = 0; i < HELD; i++)
                {
                    held.add(Loopback.connect(vip, 2_000));
                }
                Await.until("the router is at its fd limit", () -> router.openFds() >= FD_LIMIT - 2,
                    () -> "fds " + router.openFds());
                final long cpuBeforeMs = router.cpuMs();
                final long sampleStartNs = System.nanoTime();
                Thread.sleep(SAMPLE_MS);
                final long cpuMs = router.cpuMs() - cpuBeforeMs;
                final long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sampleStartNs);
                final int fdsAtLimit = router.openFds();
                assertTrue(router.process().isAlive(), "the router survived EMFILE: " + router.stderr());
                final long emfileLines = router.stderr().lines().filter(line -> line.contains("Too many open files")).count();
                final long secondBeforeMs = router.cpuMs();
                Thread.sleep(SAMPLE_MS);
                final long secondCpuMs = router.cpuMs() - secondBeforeMs;
                final long emfileLinesLater = router.stderr().lines().filter(line -> line.contains("Too many open files")).count();
                System.out.println("reliability: fd exhaustion sample: CPU " + cpuMs + " then " + secondCpuMs + " ms per " + wallMs
                    + " ms, EMFILE lines " + emfileLines + " then " + emfileLinesLater + ", "
                    + router.stderr().lines().filter(line -> line.contains("running")).findFirst().orElse("?"));
                assertTrue(secondCpuMs < wallMs / 4, "the router spun on EMFILE: " + secondCpuMs + " ms CPU in " + wallMs + " ms");

                for (final Socket socket : held)
                {
                    socket.close();
                }
                final long recoverStartNs = System.nanoTime();
                Await.until("a new client is served again", () -> tryServe(vip));
                final long recoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recoverStartNs);
                for (int i = 1; i <= 50; i++)
                {
                    serveOne(vip, i);
                }
                Await.until("router fds back to baseline " + baselineFds, () -> router.openFds() <= baselineFds + 2,
                    () -> "now " + router.openFds());
                final String log = router.stderr();
                final long logged = log.lines().filter(line -> line.contains("Too many open files")).count();
                assertFalse(log.contains("LEAK:"), "buffer leak in the router: " + log);
                assertTrue(logged > 0, "EMFILE was reported: " + log);
                final long acceptErrors = (long)RouterProcessHandle.metrics(admin).sum("gatehouse_accept_errors_total");
                assertTrue(acceptErrors > 0, "accept failures were counted");
                final long accepted = (long)RouterProcessHandle.metrics(admin).sum("gatehouse_connections_accepted_total");
                System.out.println("reliability: fd exhaustion on " + transport + " under ulimit -n " + FD_LIMIT + ": " + HELD + " held clients, router at "
                    + fdsAtLimit + " fds, " + cpuMs + " ms CPU in " + wallMs + " ms while exhausted (no spin), " + logged
                    + " EMFILE lines logged, " + acceptErrors + " accept failures counted, served again " + recoverMs + " ms after the fds freed, 51/51 echo clients served, "
                    + accepted + " accepted in all, fds back to " + router.openFds() + " (baseline " + baselineFds + ")");
            }
        }
    }

    private static boolean tryServe(final InetSocketAddress vip)
    {
        try
        {
            serveOne(vip, -1);
            return true;
        }
        catch (final IOException | AssertionError ex)
        {
            return false;
        }
    }

    private static void serveOne(final InetSocketAddress vip, final int seed) throws IOException
    {
        try (Socket socket = Loopback.connect(vip, 3_000))
        {
            Loopback.roundTrip(socket, Loopback.httpHead("a.test"));
            Loopback.roundTrip(socket, Loopback.payload(seed, 1024));
        }
    }

}
