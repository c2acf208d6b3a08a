package io.gatehouse.router.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.health.HealthMonitor;
import io.gatehouse.router.metrics.RouteCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connect failures reach the health monitor, which ejects the backend from the route's pool. */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PassiveEjectionTest
{
    @Test
    void shouldRetryPastADeadBackendThenStopPickingItOnceEjected() throws Exception
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final HealthMonitor health = new HealthMonitor(clock::nanoTime, (backend, check, name, timeoutMs) -> io.gatehouse.router.health.Prober.Result.PASSED, Runnable::run);
        final InetSocketAddress dead;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            dead = (InetSocketAddress)probe.getLocalSocketAddress();
        }
        try (RawBackend alive = new RawBackend("alive", RawBackend::echo);
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), dead, alive.address())).defaultRoute("x.test")),
                clock, health))
        {
            final RouteCounters route = router.metrics().route("l", "x.test");
            for (int i = 0; i < 40; i++)
            {
                assertEquals('k', echo(router.boundAddress("l")), "a retry reaches the live backend");
            }
            final long failures = route.backendConnectFailures(0);
            assertTrue(failures >= 5, "the dead backend was tried: " + failures);
            health.tick();
            for (int i = 0; i < 40; i++)
            {
                assertEquals('k', echo(router.boundAddress("l")));
            }
            assertEquals(failures, route.backendConnectFailures(0), "an ejected backend is not tried again");
            assertEquals(80, route.backendConnections(1));
        }
        finally
        {
            health.close();
        }
    }

    private static int echo(final InetSocketAddress address) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new byte[] {0, 'k'});
            socket.getInputStream().read();
            return socket.getInputStream().read();
        }
    }
}
