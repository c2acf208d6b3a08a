package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SystemdNotifierTest
{
    private static final long PID = 4242;
    private static final long RECEIVE_TIMEOUT_MS = 2_000;

    @TempDir
    Path dir;

    private final AtomicLong clockNs = new AtomicLong(1_234_567_000L);

    private SystemdNotifier notifier(final Map<String, String> env)
    {
        return SystemdNotifier.from(env, PID, clockNs::get);
    }

    @Test
    void shouldSendReadyToSocketGivenAsPath() throws Exception
    {
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", manager.address())))
        {
            assertTrue(notifier.enabled());
            assertTrue(notifier.ready());
            assertEquals("READY=1", manager.receive(RECEIVE_TIMEOUT_MS));
        }
    }

    @Test
    void shouldSendToSocketInAbstractNamespace() throws Exception
    {
        final String name = "@gatehouse-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifySocket manager = NotifySocket.bind(name);
            SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", name)))
        {
            assertTrue(notifier.ready("serving 2 listeners"));
            assertEquals("READY=1\nSTATUS=serving 2 listeners", manager.receive(RECEIVE_TIMEOUT_MS));
        }
    }

    @Test
    void shouldStampReloadingWithMonotonicMicrosecondsFromClock() throws Exception
    {
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", manager.address())))
        {
            assertTrue(notifier.reloading());
            clockNs.addAndGet(5_000_999L);
            assertTrue(notifier.reloading());
            assertEquals("RELOADING=1\nMONOTONIC_USEC=1234567", manager.receive(RECEIVE_TIMEOUT_MS));
            assertEquals("RELOADING=1\nMONOTONIC_USEC=1239567", manager.receive(RECEIVE_TIMEOUT_MS));
        }
    }

    @Test
    void shouldSendStoppingWatchdogAndOneLineStatus() throws Exception
    {
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", manager.address())))
        {
            assertTrue(notifier.watchdog());
            assertTrue(notifier.status("draining\n12 open"));
            assertTrue(notifier.stopping());
            assertEquals("WATCHDOG=1", manager.receive(RECEIVE_TIMEOUT_MS));
            assertEquals("STATUS=draining 12 open", manager.receive(RECEIVE_TIMEOUT_MS));
            assertEquals("STOPPING=1", manager.receive(RECEIVE_TIMEOUT_MS));
        }
    }

    @Test
    void shouldDoNothingWithoutNotifySocket()
    {
        final SystemdNotifier notifier = notifier(Map.of());
        assertFalse(notifier.enabled());
        assertFalse(notifier.ready());
        assertEquals(0, notifier.watchdogPingIntervalNs());
        assertEquals("NOTIFY_SOCKET is not set", notifier.disabledReason());
    }

    @Test
    void shouldRefuseRelativeSocketPath()
    {
        final SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", "run/notify"));
        assertFalse(notifier.enabled());
        assertTrue(notifier.disabledReason().contains("run/notify"));
    }

    @Test
    void shouldRefuseSocketPathLongerThanSunPath()
    {
        final SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", "/" + "x".repeat(200)));
        assertFalse(notifier.enabled());
    }

    @Test
    void shouldReportFailureWhenNobodyListens() throws Exception
    {
        try (SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", dir.resolve("absent").toString())))
        {
            assertTrue(notifier.enabled());
            assertFalse(notifier.ready());
        }
    }

    @Test
    void shouldRefuseMessageLargerThanOneDatagram() throws Exception
    {
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", manager.address())))
        {
            assertFalse(notifier.status("x".repeat(SystemdNotifier.MAX_MESSAGE_BYTES)));
            assertTrue(notifier.ready());
            assertEquals("READY=1", manager.receive(RECEIVE_TIMEOUT_MS));
        }
    }

    @Test
    void shouldPingWatchdogAtHalfTheIntervalForThisProcessOnly()
    {
        final String socket = dir.resolve("notify").toString();
        assertEquals(15_000_000_000L, notifier(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "30000000")).watchdogPingIntervalNs());
        assertEquals(15_000_000_000L, notifier(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", Long.toString(PID)))
            .watchdogPingIntervalNs());
        assertEquals(0, notifier(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "1")).watchdogPingIntervalNs());
        assertEquals(0, notifier(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "soon")).watchdogPingIntervalNs());
        assertEquals(0, notifier(Map.of("NOTIFY_SOCKET", socket)).watchdogPingIntervalNs());
    }

    @Test
    void shouldReceiveNothingMoreThanWasSent() throws Exception
    {
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            SystemdNotifier notifier = notifier(Map.of("NOTIFY_SOCKET", manager.address())))
        {
            assertTrue(notifier.ready());
            assertEquals("READY=1", manager.receive(RECEIVE_TIMEOUT_MS));
            assertNull(manager.receive(50));
        }
    }
}
