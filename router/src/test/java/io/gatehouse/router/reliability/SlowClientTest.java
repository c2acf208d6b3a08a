package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.RouterProcessHandle;
import io.gatehouse.router.metrics.Counter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients ("slowloris" on the peek): {@value #DEFAULT_SLOW_CLIENTS} connections in CI (the issue asks
 * for 10,000: {@code -Dgatehouse.reliability.slowClients=10000}) each send one byte of an HTTP request per
 * second. A 2 s peek timeout cuts every one of them, and counts it, while other clients are served
 * throughout with zero failures. Above {@value #IN_JVM_MAX} clients the router runs as a child process
 * ({@code gatehouse run}), so that clients and router each stay under a 20,000-descriptor limit.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowClientTest
{
    static final int DEFAULT_SLOW_CLIENTS = 1_000;
    static final int IN_JVM_MAX = 4_000;
    private static final long BYTE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    @Test
    void shouldCutSlowClientsAtThePeekTimeoutWhileServingOthers() throws Exception
    {
        final int slowClients = Integer.getInteger("gatehouse.reliability.slowClients", DEFAULT_SLOW_CLIENTS);
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo);
             PeekingRouter router = slowClients > IN_JVM_MAX
                 ? PeekingRouter.child(dir, echo.address().getPort()) : PeekingRouter.inJvm(dir, echo.address().getPort()))
        {
            final InetSocketAddress vip = router.vip();
            final byte[] head = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

            final AtomicBoolean serving = new AtomicBoolean(true);
            final AtomicInteger served = new AtomicInteger();
            final AtomicLong servedBytes = new AtomicLong();
            final List<String> failures = new ArrayList<>();
            final Thread fast = new Thread(() ->
            {
                int i = 0;
                while (serving.get())
                {
                    try (Socket socket = Loopback.connect(vip, 10_000))
                    {
                        Loopback.roundTrip(socket, head);
                        Loopback.roundTrip(socket, Loopback.payload(i++, 2048));
                        servedBytes.addAndGet(head.length + 2048);
                        served.incrementAndGet();
                    }
                    catch (final IOException | AssertionError ex)
                    {
                        synchronized (failures)
                        {
                            failures.add(ex.toString());
                        }
                    }
                }
            }, "fast-client");
            fast.start();

            final long timeoutsBefore = router.peekTimeouts();
            final long startNs = System.nanoTime();
            final List<SocketChannel> slow = new ArrayList<>(slowClients);
            for (int i = 0; i < slowClients; i++)
            {
                final SocketChannel channel = SocketChannel.open(vip);
                channel.configureBlocking(false);
                slow.add(channel);
            }
            final long openedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            final int servedWhileOpening = served.get();

            int sent = 0;
            int open = slowClients;
            final boolean[] cut = new boolean[slowClients];
            final ByteBuffer one = ByteBuffer.allocate(1);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long nextByteNs = System.nanoTime();
            while (open > 0 && deadlineNs - System.nanoTime() > 0)
            {
                if (System.nanoTime() - nextByteNs >= 0)
                {
                    for (int i = 0; i < slowClients; i++)
                    {
                        if (cut[i])
                        {
                            continue;
                        }
                        try
                        {
                            one.clear();
                            one.put(head[sent % head.length]).flip();
                            slow.get(i).write(one);
                            final ByteBuffer eof = ByteBuffer.allocate(1);
                            if (slow.get(i).read(eof) < 0)
                            {
                                cut[i] = true;
                                open--;
                            }
                        }
                        catch (final IOException ex)
                        {
                            cut[i] = true;
                            open--;
                        }
                    }
                    sent++;
                    nextByteNs += BYTE_INTERVAL_NS;
                }
                Thread.sleep(20);
            }
            final long cutMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            for (final SocketChannel channel : slow)
            {
                channel.close();
            }
            final int servedDuringSlow = served.get();
            Await.until("fast clients served after the slow ones were cut", () -> served.get() >= servedDuringSlow + 20);
            serving.set(false);
            fast.join(10_000);

            assertEquals(0, open, "slow clients still open after 30 s");
            assertEquals(List.of(), failures, "fast clients that failed while slow ones held the peek");
            assertTrue(servedDuringSlow > servedWhileOpening, "fast clients were served while the slow ones were held");
            Await.until("every slow client counted as a peek timeout",
                () -> router.peekTimeouts() - timeoutsBefore >= slowClients,
                () -> "counted " + (router.peekTimeouts() - timeoutsBefore));
            assertTrue(cutMs >= 1_900, "cut before the 2 s peek timeout: " + cutMs + " ms");
            router.awaitNoConnections();
            System.out.println("reliability: slow clients: " + slowClients + " sending 1 byte/s opened in " + openedMs
                + " ms, all cut at the 2 s peek timeout after at most " + sent + " bytes each (" + cutMs + " ms for all), "
                + (router.peekTimeouts() - timeoutsBefore) + " counted peek_timeout; meanwhile " + served.get()
                + " other clients served, " + servedBytes.get() + " bytes verified, 0 failed");
        }
    }

    /** The router under test: in this JVM, or a {@code gatehouse run} child for more clients than one fd limit holds. */
    private interface PeekingRouter extends AutoCloseable
    {
        InetSocketAddress vip();

        long peekTimeouts();

        void awaitNoConnections();

        static String yaml(final String address, final int backendPort, final String admin)
        {
            return "runtime: {workers: 2, drain_timeout: 1s}\n"
                + "listeners:\n"
                + "  - name: vip\n"
                + "    address: " + address + "\n"
                + "    protocol: http\n"
                + "    peek_timeout: 2s\n"
                + "    routes:\n"
                + "      - hostnames: [a.test]\n"
                + "        backends: [\"127.0.0.1:" + backendPort + "\"]\n"
                + admin;
        }

        static PeekingRouter inJvm(final Path dir, final int backendPort) throws Exception
        {
            final RouterUnderTest router = RouterUnderTest.start(dir, yaml("127.0.0.1:0", backendPort, ""));
            return new PeekingRouter()
            {
                public InetSocketAddress vip()
                {
                    return router.vip("vip");
                }

                public long peekTimeouts()
                {
                    return router.count(Counter.PEEK_TIMEOUT);
                }

                public void awaitNoConnections()
                {
                    router.awaitNoConnections();
                }

                public void close()
                {
                    router.close();
                }
            };
        }

        static PeekingRouter child(final Path dir, final int backendPort) throws Exception
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path config = dir.resolve("gatehouse.yaml");
            Files.writeString(config, yaml("127.0.0.1:" + vipPort, backendPort, "admin: {address: \"127.0.0.1:" + adminPort + "\"}\n"));
            final InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
            final RouterProcessHandle router = RouterProcessHandle.start(dir, config, 20_000);
            return new PeekingRouter()
            {
                public InetSocketAddress vip()
                {
                    return new InetSocketAddress("127.0.0.1", vipPort);
                }

                public long peekTimeouts()
                {
                    return (long)metric("gatehouse_peek_outcomes_total", "outcome", "timeout");
                }

                public void awaitNoConnections()
                {
                    Await.until("no client connection open in the router", () -> metric("gatehouse_connections_active") == 0);
                }

                private double metric(final String name, final String... labels)
                {
                    try
                    {
                        return RouterProcessHandle.metrics(admin).sum(name, labels);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                }

                public void close()
                {
                    router.close();
                }
            };
        }
    }
}
