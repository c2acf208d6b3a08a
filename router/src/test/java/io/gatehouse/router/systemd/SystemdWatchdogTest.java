package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SystemdWatchdogTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNotStartWithoutWatchdogUsec() throws Exception
    {
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString()))
        {
            final SystemdNotifier notifier = SystemdNotifier.from(Map.of("NOTIFY_SOCKET", manager.address()), 1, System::nanoTime);
            assertNull(SystemdWatchdog.startIfEnabled(notifier, List.of()));
        }
    }

    @Test
    void shouldPingOnlyWhileEveryLoopRunsTasks() throws Exception
    {
        final ExecutorService healthy = Executors.newSingleThreadExecutor();
        final ExecutorService wedgeable = Executors.newSingleThreadExecutor();
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            SystemdNotifier notifier = SystemdNotifier.from(
                Map.of("NOTIFY_SOCKET", manager.address(), "WATCHDOG_USEC", "40000"), 1, System::nanoTime);
            SystemdWatchdog watchdog = SystemdWatchdog.startIfEnabled(notifier, List.of(healthy, wedgeable)))
        {
            assertEquals("WATCHDOG=1", manager.receive(5_000));

            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch wedged = new CountDownLatch(1);
            wedgeable.execute(() ->
            {
                wedged.countDown();
                awaitQuietly(release);
            });
            wedged.await();
            // A tick whose no-op ran before the wedge may still ping; wait for a quiet spell, then none may come.
            int late = 0;
            while (manager.receive(100) != null)
            {
                late++;
                assertTrue(late < 20, "pings go on while a loop is wedged");
            }
            assertNull(manager.receive(300), "no ping while a loop is wedged");

            release.countDown();
            assertEquals("WATCHDOG=1", manager.receive(5_000), "pings resume once the loop runs again");
        }
        finally
        {
            healthy.shutdownNow();
            wedgeable.shutdownNow();
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
