package io.gatehouse.router.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.metrics.SnapshotWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AccessLogTest
{
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private static AccessLogEntry entry(final int i) throws Exception
    {
        return new AccessLogEntry(7 + i, 1_764_137_851_123L + i, 1_764_137_851_122L + i,
            new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53_422), "public",
            new InetSocketAddress(InetAddress.getByName("::1"), 8446), "tls", "a.example.test", "h2,http/1.1", "a.example.test",
            new InetSocketAddress(InetAddress.getByName("::1"), 9443), new InetSocketAddress(InetAddress.getByName("::1"), 40_112),
            2, new int[] {1, 0}, List.of("[::1]:9443", "[::1]:9444"), 517, 4096, 1234, 50, 200, "client_closed");
    }

    @Test
    void shouldFormatOneJsonObjectPerLineWithNullsForTheUnknown() throws Exception
    {
        assertEquals("{\"time\":\"2025-11-26T06:17:31.123Z\",\"accept_time\":\"2025-11-26T06:17:31.122Z\",\"id\":7,"
            + "\"client\":\"127.0.0.1:53422\",\"listener\":\"public\",\"listener_address\":\"[0:0:0:0:0:0:0:1]:8446\","
            + "\"protocol\":\"tls\",\"name\":\"a.example.test\",\"alpn\":\"h2,http/1.1\",\"route\":\"a.example.test\","
            + "\"backend\":\"[0:0:0:0:0:0:0:1]:9443\",\"upstream_local\":\"[0:0:0:0:0:0:0:1]:40112\",\"connect_attempts\":2,"
            + "\"backends_tried\":[\"[::1]:9444\",\"[::1]:9443\"],\"bytes_in\":517,\"bytes_out\":4096,\"duration_us\":1234,"
            + "\"peek_us\":50,\"connect_us\":200,\"end\":\"client_closed\"}\n", AccessLogFormat.format(entry(0)));
        final AccessLogEntry peekTimeout = new AccessLogEntry(3, 5_000, 0, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1),
            "l\"\\\n\u0001", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8446), null, null, null, null, null, null, 0,
            null, null, 0, 0, 5_000_000, -1, -1, "peek_timeout");
        assertEquals("{\"time\":\"1970-01-01T00:00:05.000Z\",\"accept_time\":\"1970-01-01T00:00:00.000Z\",\"id\":3,"
            + "\"client\":\"127.0.0.1:1\",\"listener\":\"l\\\"\\\\\\n\\u0001\",\"listener_address\":\"127.0.0.1:8446\","
            + "\"protocol\":null,\"name\":null,\"alpn\":null,\"route\":null,\"backend\":null,\"upstream_local\":null,"
            + "\"connect_attempts\":0,\"backends_tried\":[],\"bytes_in\":0,\"bytes_out\":0,"
            + "\"duration_us\":5000000,\"peek_us\":null,\"connect_us\":null,\"end\":\"peek_timeout\"}\n",
            AccessLogFormat.format(peekTimeout));
    }

    @Test
    void shouldWriteEveryOfferedEntryFromManyThreads(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("access.log");
        final int threads = 4;
        final int perThread = 2_000;
        try (AccessLog log = AccessLog.open(file.toString(), 16_384, errors::add))
        {
            final AccessLogEntry entry = entry(0);
            final CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++)
            {
                new Thread(() ->
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        while (!log.offer(entry))
                        {
                            Thread.onSpinWait();
                        }
                    }
                    done.countDown();
                }).start();
            }
            done.await();
            waitFor(() -> log.written() == (long)threads * perThread);
        }
        final List<String> lines = Files.readAllLines(file);
        assertEquals(threads * perThread, lines.size());
        assertTrue(lines.stream().allMatch(line -> line.startsWith("{\"time\":") && line.endsWith("}")));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldDropAndCountWhenTheQueueIsFullWithoutBlocking(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("access.log");
        final AccessLog log = AccessLog.create(file.toString(), 8, errors::add);
        try (log)
        {
            for (int i = 0; i < 13; i++)
            {
                log.offer(entry(i));
            }
            assertEquals(5, log.dropped());
            final SnapshotWriter writer = new SnapshotWriter();
            log.writeTo(writer);
            assertEquals(5, io.gatehouse.router.metrics.MetricsSnapshot.parse(writer.text()).sum("gatehouse_access_log_dropped_total"), writer.text());
            log.start();
            waitFor(() -> log.written() == 8);
        }
        assertEquals(8, Files.readAllLines(file).size());
    }

    @Test
    void shouldReopenTheFileAfterItWasRotated(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("access.log");
        final Path rotated = dir.resolve("access.log.1");
        try (AccessLog log = AccessLog.open(file.toString(), 64, errors::add))
        {
            log.offer(entry(1));
            waitFor(() -> lineCount(file) == 1);
            Files.move(file, rotated);
            log.offer(entry(2));
            waitFor(() -> lineCount(rotated) == 2);
            assertFalse(Files.exists(file));
            log.reopen();
            waitFor(() -> Files.exists(file));
            log.offer(entry(3));
            waitFor(() -> lineCount(file) == 1);
        }
        assertTrue(Files.readAllLines(file).get(0).startsWith("{\"time\":\"2025-11-26T06:17:31.126Z\""));
        assertEquals(2, Files.readAllLines(rotated).size());
    }

    @Test
    void shouldNameTheFileWhenItCannotBeOpened(@TempDir final Path dir)
    {
        final Path file = dir.resolve("missing-dir").resolve("access.log");
        final Exception ex = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
            () -> AccessLog.open(file.toString(), 8, errors::add));
        assertTrue(ex.getMessage().startsWith("access log " + file + ": cannot open"), ex.getMessage());
    }

    private static long lineCount(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readAllLines(file).size() : -1;
        }
        catch (final java.io.IOException ex)
        {
            return -1;
        }
    }

    private static void waitFor(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("condition not met within 15s");
            }
            Thread.sleep(5);
        }
    }
}
