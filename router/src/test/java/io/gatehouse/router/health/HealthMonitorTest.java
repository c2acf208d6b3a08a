package io.gatehouse.router.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.balancer.Algorithm;
import io.gatehouse.balancer.Backend;
import io.gatehouse.balancer.BackendPool;
import io.gatehouse.router.metrics.SnapshotWriter;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.RouteConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HealthMonitorTest
{
    private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final HealthListener recorder = new HealthListener()
    {
        @Override
        public void markUp(final int backendIndex)
        {
            events.add("up " + backendIndex);
        }

        @Override
        public void markDown(final int backendIndex)
        {
            events.add("down " + backendIndex);
        }
    };

    private static RouteConfig route(final String health, final int... ports) throws Exception
    {
        final StringBuilder backends = new StringBuilder();
        for (final int port : ports)
        {
            backends.append(backends.length() == 0 ? "" : ", ").append("127.0.0.1:").append(port);
        }
        return ConfigLoader.parse("listeners:\n  - address: 127.0.0.1:0\n    routes:\n      - hostnames: [\"*.a.test\", a.test]\n"
            + "        backends: [" + backends + "]\n        health: " + health + "\n", Path.of("t.yaml"))
            .listeners().get(0).routes().get(0);
    }

    private void advanceMs(final long ms)
    {
        nowNs.addAndGet(ms * 1_000_000L);
    }

    @Test
    void shouldTakeABackendDownAfterFallFailedTcpProbesAndBackAfterRise() throws Exception
    {
        try (ServerSocket first = listen(0); ServerSocket second = listen(0);
             HealthMonitor monitor = new HealthMonitor(nowNs::get, new SocketProber(), Runnable::run))
        {
            final int secondPort = second.getLocalPort();
            final RouteHealth health = monitor.register("public", route("{check: tcp, interval: 1s, timeout: 500ms, rise: 2, fall: 2}",
                first.getLocalPort(), secondPort), recorder, null);
            monitor.tick();
            assertTrue(events.isEmpty(), events.toString());
            second.close();
            advanceMs(1_000);
            monitor.tick();
            assertTrue(events.isEmpty(), "one failure is below fall: " + events);
            advanceMs(999);
            monitor.tick();
            assertTrue(events.isEmpty(), "not due yet: " + events);
            advanceMs(1);
            monitor.tick();
            assertEquals(List.of("down 1"), events);
            assertFalse(health.isUp(1));
            assertTrue(health.isUp(0));
            try (ServerSocket back = listen(secondPort))
            {
                advanceMs(1_000);
                monitor.tick();
                assertEquals(List.of("down 1"), events, "one good probe is below rise");
                advanceMs(1_000);
                monitor.tick();
                assertEquals(List.of("down 1", "up 1"), events);
            }
            final SnapshotWriter writer = new SnapshotWriter();
            monitor.writeTo(writer);
            assertEquals(2, io.gatehouse.router.metrics.MetricsSnapshot.parse(writer.text()).sum("gatehouse_health_probes_total",
                "listener", "public", "route", "*.a.test", "backend", "127.0.0.1:" + secondPort, "result", "failed"), writer.text());
        }
    }

    @Test
    void shouldEjectAfterConsecutiveConnectFailuresWithDoublingBackoff() throws Exception
    {
        try (HealthMonitor monitor = new HealthMonitor(nowNs::get, (b, c, n, t) -> Prober.Result.PASSED, Runnable::run))
        {
            final RouteHealth health = monitor.register("public", route("{eject_after: 3, eject_backoff: 1s, eject_backoff_max: 4s}",
                9001, 9002), recorder, null);
            health.onConnectFailure(0);
            health.onConnectFailure(0);
            health.onConnectSuccess(0);
            health.onConnectFailure(0);
            health.onConnectFailure(0);
            monitor.tick();
            assertTrue(events.isEmpty(), "a success ends the streak: " + events);
            health.onConnectFailure(0);
            monitor.tick();
            assertEquals(List.of("down 0"), events);

            final long[] expectedMs = {1_000, 2_000, 4_000, 4_000};
            for (int round = 0; round < expectedMs.length; round++)
            {
                events.clear();
                advanceMs(expectedMs[round] - 1);
                monitor.tick();
                assertTrue(events.isEmpty(), "round " + round + " still ejected: " + events);
                advanceMs(1);
                monitor.tick();
                assertEquals(List.of("up 0"), events, "round " + round);
                for (int i = 0; i < 3; i++)
                {
                    health.onConnectFailure(0);
                }
                monitor.tick();
                assertEquals(List.of("up 0", "down 0"), events, "round " + round);
            }
            events.clear();
            advanceMs(4_000);
            monitor.tick();
            assertEquals(List.of("up 0"), events);
            advanceMs(4_000);
            for (int i = 0; i < 3; i++)
            {
                health.onConnectFailure(0);
            }
            monitor.tick();
            advanceMs(1_000);
            monitor.tick();
            assertEquals(List.of("up 0", "down 0", "up 0"), events, "after staying in for the max, the backoff starts over");
        }
    }

    @Test
    void shouldFailClosedOrOpenWhenEveryBackendIsDown() throws Exception
    {
        try (HealthMonitor monitor = new HealthMonitor(nowNs::get, (b, c, n, t) -> Prober.Result.PASSED, Runnable::run))
        {
            final RouteHealth closed = monitor.register("public", route("{eject_after: 1}", 9001, 9002), recorder, null);
            closed.onConnectFailure(0);
            closed.onConnectFailure(1);
            monitor.tick();
            assertEquals(List.of("down 0", "down 1"), events);
            assertTrue(closed.allDown());

            events.clear();
            final RouteHealth open = monitor.register("public", route("{eject_after: 1, when_all_down: fail_open}", 9001, 9002),
                recorder, null);
            open.onConnectFailure(0);
            monitor.tick();
            assertEquals(List.of("down 0"), events);
            open.onConnectFailure(1);
            monitor.tick();
            assertEquals(List.of("down 0", "up 0"), events, "fail_open publishes every backend up");
            assertTrue(open.allDown());
            assertTrue(open.isUp(0) && open.isUp(1));
        }
    }

    @Test
    void shouldKeepDownBackendsDownAcrossAReRegistrationAndDriveARealPool() throws Exception
    {
        try (HealthMonitor monitor = new HealthMonitor(nowNs::get, (b, c, n, t) -> Prober.Result.PASSED, Runnable::run))
        {
            final RouteConfig config = route("{eject_after: 1}", 9001, 9002, 9003);
            final BackendPool pool = BackendPool.create(Algorithm.MAGLEV,
                List.of(Backend.of("127.0.0.1:9001"), Backend.of("127.0.0.1:9002"), Backend.of("127.0.0.1:9003")));
            final RouteHealth before = monitor.register("public", config, HealthListener.of(pool), null);
            before.onConnectFailure(1);
            monitor.tick();
            assertFalse(pool.isUp(1));
            assertEquals(2, pool.healthyCount());

            final RouteConfig reloaded = route("{eject_after: 1}", 9003, 9002);
            final BackendPool newPool = BackendPool.create(Algorithm.MAGLEV,
                List.of(Backend.of("127.0.0.1:9003"), Backend.of("127.0.0.1:9002")));
            final RouteHealth after = monitor.register("public", reloaded, HealthListener.of(newPool), before);
            assertFalse(newPool.isUp(1), "127.0.0.1:9002 is still ejected in the new pool");
            assertTrue(newPool.isUp(0));
            assertFalse(after.isUp(1));
            before.onConnectFailure(0);
            monitor.tick();
            assertTrue(newPool.isUp(0), "the old registration no longer acts");
        }
    }

    @Test
    void shouldProbeOnItsOwnThreadWithTheRealClock() throws Exception
    {
        try (ServerSocket server = listen(0); HealthMonitor monitor = HealthMonitor.startDefault(2))
        {
            final int port = server.getLocalPort();
            server.close();
            final RouteHealth health = monitor.register("public", route("{check: tcp, interval: 20ms, timeout: 10ms, fall: 2}",
                port), recorder, null);
            // The monitor's thread marks the backend down, then tells the listener: wait for the telling, which
            // comes after (reading the events as soon as isUp said false raced the listener, 1 CI run in ~20).
            io.gatehouse.router.Await.until("the probe thread reports the closed port down", () -> !events.isEmpty(), events::toString);
            assertFalse(health.isUp(0));
            assertEquals("down 0", events.get(0));
        }
    }

    private static ServerSocket listen(final int port) throws Exception
    {
        final ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 50);
        return server;
    }
}
