package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.metrics.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
 * Slow clients ("slowloris" on the peek): {@value #DEFAULT_SLOW_CLIENTS} connections (the issue asks for
 * 10,000: run with {@code -Dgatehouse.reliability.slowClients=10000} and an fd limit above 25,000; the CI
 * box has 2 cores and a 20,000 fd limit) each send one byte of an HTTP request per second. A 2 s peek
 * timeout cuts every one of them, and counts it, while other clients are served throughout with zero
 * failures.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowClientTest
{
    static final int DEFAULT_SLOW_CLIENTS = 1_000;
    private static final long BYTE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    @Test
    void shouldCutSlowClientsAtThePeekTimeoutWhileServingOthers() throws Exception
    {
        final int slowClients = Integer.getInteger("gatehouse.reliability.slowClients", DEFAULT_SLOW_CLIENTS);
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo);
             RouterUnderTest router = RouterUnderTest.start(dir, "runtime: {workers: 2, drain_timeout: 1s}\n"
                 + "listeners:\n"
                 + "  - name: vip\n"
                 + "    address: 127.0.0.1:0\n"
                 + "    protocol: http\n"
                 + "    peek_timeout: 2s\n"
                 + "    routes:\n"
                 + "      - hostnames: [a.test]\n"
                 + "        backends: [\"127.0.0.1:" + echo.address().getPort() + "\"]\n"))
        {
            final InetSocketAddress vip = router.vip("vip");
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

            final long timeoutsBefore = router.count(Counter.PEEK_TIMEOUT);
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
                () -> router.count(Counter.PEEK_TIMEOUT) - timeoutsBefore >= slowClients,
                () -> "counted " + (router.count(Counter.PEEK_TIMEOUT) - timeoutsBefore));
            assertTrue(cutMs >= 1_900, "cut before the 2 s peek timeout: " + cutMs + " ms");
            router.awaitNoConnections();
            System.out.println("reliability: slow clients: " + slowClients + " sending 1 byte/s opened in " + openedMs
                + " ms, all cut at the 2 s peek timeout after at most " + sent + " bytes each (" + cutMs + " ms for all), "
                + (router.count(Counter.PEEK_TIMEOUT) - timeoutsBefore) + " counted peek_timeout; meanwhile " + served.get()
                + " other clients served, " + servedBytes.get() + " bytes verified, 0 failed");
        }
    }
}
