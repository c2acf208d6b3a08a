package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.RouterProcessHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals to {@code gatehouse run} (a child process) under load: a SIGHUP reload every second while
 * clients open connections without pause (zero failures, every reload applied), and SIGTERM while
 * streams are mid-flight (they keep relaying until the clients finish, long before the drain timeout;
 * the process then exits 0). Also checks the child's stderr for a PARANOID leak report.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignalsUnderLoadTest
{
    private static final int RELOADS = 8;
    private static final int STREAMS = 8;

    @TempDir
    Path dir;

    private static String config(final int generation, final int vipPort, final int adminPort, final InetSocketAddress echo)
    {
        return "# generation " + generation + "\n"
            + "runtime: {workers: 2, drain_timeout: 20s}\n"
            + "listeners:\n"
            + "  - name: vip\n"
            + "    address: 127.0.0.1:" + vipPort + "\n"
            + "    protocol: http\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [\"127.0.0.1:" + echo.getPort() + "\"]\n"
            + (generation % 2 == 1 ? "      - hostnames: [extra" + generation + ".test]\n        backends: [\"127.0.0.1:1\"]\n" : "")
            + "admin: {address: \"127.0.0.1:" + adminPort + "\"}\n";
    }

    @Test
    void shouldServeEveryConnectionThroughAReloadEverySecond() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path file = dir.resolve("gatehouse.yaml");
            Files.writeString(file, config(0, vipPort, adminPort, echo.address()));
            final InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
            try (RouterProcessHandle router = RouterProcessHandle.start(dir, file, 4096))
            {
                final InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
                final AtomicBoolean running = new AtomicBoolean(true);
                final AtomicInteger served = new AtomicInteger();
                final AtomicLong bytes = new AtomicLong();
                final List<String> failures = new CopyOnWriteArrayList<>();
                final List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 2; c++)
                {
                    final Thread client = new Thread(() ->
                    {
                        int i = 0;
                        while (running.get())
                        {
                            try (Socket socket = Loopback.connect(vip, 10_000))
                            {
                                Loopback.roundTrip(socket, Loopback.httpHead("a.test"));
                                Loopback.roundTrip(socket, Loopback.payload(i++, 4096));
                                bytes.addAndGet(4096);
                                served.incrementAndGet();
                            }
                            catch (final IOException | AssertionError ex)
                            {
                                failures.add(ex.toString());
                            }
                        }
                    }, "load-" + c);
                    client.start();
                    clients.add(client);
                }
                final long startNs = System.nanoTime();
                for (int generation = 1; generation <= RELOADS; generation++)
                {
                    final long dueNs = startNs + TimeUnit.SECONDS.toNanos(generation);
                    while (System.nanoTime() - dueNs < 0)
                    {
                        Thread.sleep(10);
                    }
                    Files.writeString(file, config(generation, vipPort, adminPort, echo.address()));
                    router.signal("HUP");
                    final double applied = generation;
                    Await.until("reload " + generation + " applied",
                        () -> applied(admin) >= applied, router::stderr);
                }
                final int servedDuringReloads = served.get();
                running.set(false);
                for (final Thread client : clients)
                {
                    client.join(10_000);
                }
                assertEquals(List.of(), failures, "connections that failed during reloads");
                assertTrue(servedDuringReloads > RELOADS * 10, "load ran through the reloads: " + servedDuringReloads);
                assertEquals(RELOADS, (long)applied(admin));
                assertFalse(router.stderr().contains("LEAK:"), router.stderr());
                System.out.println("reliability: reload every second: " + RELOADS + " SIGHUP reloads applied in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms under load, " + served.get()
                    + " connections served, " + bytes.get() + " payload bytes verified, 0 failed");
            }
        }
    }

    private static double applied(final InetSocketAddress admin)
    {
        try
        {
            return RouterProcessHandle.metrics(admin).sum("gatehouse_config_reloads_total", "result", "applied");
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    @Test
    void shouldLetStreamsFinishAfterSigtermAndExitZero() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path file = dir.resolve("gatehouse.yaml");
            Files.writeString(file, config(0, vipPort, adminPort, echo.address()));
            try (RouterProcessHandle router = RouterProcessHandle.start(dir, file, 4096))
            {
                final InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
                final List<Socket> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++)
                {
                    final Socket socket = Loopback.connect(vip, 10_000);
                    Loopback.roundTrip(socket, Loopback.httpHead("a.test"));
                    streams.add(socket);
                }
                router.signal("TERM");
                final long termNs = System.nanoTime();
                Await.until("the router stopped accepting", () -> Loopback.refuses(vip), router::stderr);
                long bytesAfterTerm = 0;
                for (int round = 0; round < 50; round++)
                {
                    for (int s = 0; s < streams.size(); s++)
                    {
                        Loopback.roundTrip(streams.get(s), Loopback.payload(round * 100L + s, 8192));
                        bytesAfterTerm += 8192;
                    }
                }
                final long streamedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termNs);
                assertTrue(router.process().isAlive(), "the router waited for open streams");
                for (final Socket socket : streams)
                {
                    socket.shutdownOutput();
                    assertEquals(Loopback.End.EOF, Loopback.readToEnd(socket), "a clean close after the drain");
                    socket.close();
                }
                assertTrue(router.process().waitFor(15, TimeUnit.SECONDS), "exited once the streams finished: " + router.stderr());
                final long exitMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termNs);
                assertEquals(0, router.process().exitValue(), router.stderr());
                assertTrue(exitMs < 20_000, "exited before the 20 s drain timeout, once the streams ended: " + exitMs);
                assertFalse(router.stderr().contains("drain timeout"), router.stderr());
                assertFalse(router.stderr().contains("LEAK:"), router.stderr());
                System.out.println("reliability: SIGTERM under load: " + STREAMS + " open streams relayed " + bytesAfterTerm
                    + " bytes (verified) for " + streamedMs + " ms after SIGTERM with the listener closed, none cut; exit 0 "
                    + exitMs + " ms after SIGTERM (drain timeout 20 s)");
            }
        }
    }
}
