package io.gatehouse.router.listen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.RuntimeConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** File descriptors and memory stay bounded: fd count back to baseline after 10,000 connections; a slow reader does not grow memory. */
@ExtendWith(LeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResourceBoundsTest
{
    private static final int CONNECTIONS = 10_000;
    private static final int CLIENT_THREADS = 4;
    private static final long FLOOD_BYTES = 256L * 1024 * 1024;

    private final AtomicLong flooded = new AtomicLong();
    private RawBackend echo;
    private RawBackend flood;
    private Router router;
    private InetSocketAddress echoListener;
    private InetSocketAddress floodListener;

    @BeforeAll
    void start() throws Exception
    {
        echo = new RawBackend("echo", RawBackend::echo);
        flood = new RawBackend("flood", socket ->
        {
            socket.getInputStream().read();
            final byte[] chunk = new byte[64 * 1024];
            while (flooded.get() < FLOOD_BYTES)
            {
                socket.getOutputStream().write(chunk);
                flooded.addAndGet(chunk.length);
            }
        });
        router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 2,
            TestConfigs.listener("echo", TestConfigs.route(List.of("echo.test"), echo.address())).defaultRoute("echo.test"),
            TestConfigs.listener("flood", TestConfigs.route(List.of("flood.test"), flood.address())).defaultRoute("flood.test")));
        echoListener = router.boundAddress("echo");
        floodListener = router.boundAddress("flood");
    }

    @AfterAll
    void stop() throws IOException
    {
        router.close();
        echo.close();
        flood.close();
    }

    @Test
    void shouldReturnToTheBaselineFdCountAfterTenThousandConnections() throws Exception
    {
        runConnections(200);
        awaitQuiet();
        final int baseline = openFds();
        final long closedBefore = router.metrics().closed();
        runConnections(CONNECTIONS);
        Await.until("every connection closed", () -> router.metrics().closed() >= closedBefore + CONNECTIONS);
        awaitQuiet();
        Await.until("fd count back to baseline " + baseline, () -> openFds() <= baseline, () -> "now " + openFds());
    }

    @Test
    void shouldKeepMemoryBoundedWhileTheClientDoesNotRead() throws Exception
    {
        final long usedBefore = usedDirectMemory();
        try (Socket client = new Socket())
        {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(floodListener, 5_000);
            client.getOutputStream().write(0);
            Await.until("the backend is flooding", () -> flooded.get() > 1024 * 1024);
            long last = -1;
            int stable = 0;
            while (stable < 20)
            {
                final long now = flooded.get();
                stable = now == last ? stable + 1 : 0;
                last = now;
                Thread.sleep(25);
            }
            final long grown = usedDirectMemory() - usedBefore;
            assertTrue(flooded.get() < FLOOD_BYTES, "the backend was held back: " + flooded.get());
            assertTrue(grown < 16L * 1024 * 1024, "router buffers grew by " + grown + " bytes while the client read nothing");
            client.setSoLinger(true, 0);
        }
        awaitQuiet();
    }

    private void awaitQuiet()
    {
        Await.until("no connection open", () -> router.metrics().activeConnections() == 0);
    }

    private void runConnections(final int count) throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++)
            {
                final int share = count / CLIENT_THREADS + (t < count % CLIENT_THREADS ? 1 : 0);
                done.add(pool.submit(() ->
                {
                    for (int i = 0; i < share; i++)
                    {
                        try (Socket client = new Socket())
                        {
                            client.connect(echoListener, 5_000);
                            client.setSoTimeout(10_000);
                            client.getOutputStream().write(new byte[] {0, 'h', 'i'});
                            client.shutdownOutput();
                            final InputStream in = client.getInputStream();
                            assertEquals(0, in.read());
                            assertEquals('h', in.read());
                            assertEquals('i', in.read());
                            assertEquals(-1, in.read());
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> future : done)
            {
                future.get(100, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static int openFds()
    {
        final String[] entries = new File("/proc/self/fd").list();
        return entries == null ? -1 : entries.length;
    }

    private static long usedDirectMemory()
    {
        return ((ByteBufAllocatorMetricProvider)ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }
}
