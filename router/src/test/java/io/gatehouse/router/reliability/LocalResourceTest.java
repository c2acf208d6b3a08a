package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.RouterProcessHandle;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 8 against a live router under {@code ulimit -n}: silent clients fill the router's
 * descriptors to one short of its limit, then a client that routes is accepted on the last one and the
 * backend socket cannot be created (EMFILE). That is this host's failure: counted in
 * {@code gatehouse_local_resource_failures_total}, never as a connect failure of the backend, and the
 * backend is not ejected: once the silent clients leave, the next client is served at once. The same holds
 * for the active checks: a probe that cannot create its socket is not the backend's failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalResourceTest
{
    private static final int FD_LIMIT = 200;
    private static final int TRIES = 5;

    @TempDir
    Path dir;

    @Test
    void shouldCountSocketExhaustionAsLocalAndNeverAgainstTheBackend() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path config = writeConfig(vipPort, adminPort, echo, "");
            final InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
            try (RouterProcessHandle router = RouterProcessHandle.start(dir, config, FD_LIMIT))
            {
                final InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
                assertTrue(served(vip), "served before the flood");
                final int acceptedBefore = echo.accepted();
                final List<Socket> held = new ArrayList<>();
                boolean refusedLocally = false;
                try
                {
                    for (int attempt = 0; attempt < TRIES && !refusedLocally; attempt++)
                    {
                        // The JVM opens files now and then (cgroup reads): the lowest count seen is the base.
                        Await.until("no relay open", () -> active(admin) == held.size());
                        int base = Integer.MAX_VALUE;
                        for (int i = 0; i < 20; i++)
                        {
                            base = Math.min(base, router.openFds() - held.size());
                            Thread.sleep(5);
                        }
                        final int baseFds = base;
                        while (baseFds + held.size() < FD_LIMIT - 1)
                        {
                            held.add(Loopback.connect(vip, 2_000));
                            final int expected = baseFds + held.size();
                            Await.until("the router accepted a held client", () -> router.openFds() >= expected,
                                () -> "fds " + router.openFds() + ", expected " + expected);
                        }
                        refusedLocally = !served(vip);
                    }
                }
                finally
                {
                    for (final Socket socket : held)
                    {
                        socket.close();
                    }
                }
                assertTrue(refusedLocally, "a client was accepted on the router's last descriptor and refused");
                Await.until("the held clients are gone", () -> router.openFds() < FD_LIMIT / 2, () -> "fds " + router.openFds());
                assertTrue(served(vip), "served at once after the flood: the backend was not ejected");
                final var metrics = RouterProcessHandle.metrics(admin);
                final double local = metrics.sum("gatehouse_local_resource_failures_total");
                final double againstBackend = metrics.sum("gatehouse_backend_connect_failures_by_backend_total");
                final double connectFailures = metrics.sum("gatehouse_backend_connect_failures_total");
                System.out.println("security: fd exhaustion under ulimit -n " + FD_LIMIT + ": " + (long)local + " local resource failures counted, "
                    + (long)againstBackend + " against the backend, served again at once (" + (echo.accepted() - acceptedBefore) + " backend connections)");
                assertTrue(local >= 1, "counted as a local resource failure");
                assertEquals(0, againstBackend, "never counted against the backend");
                assertEquals(0, connectFailures, "not a backend connect failure");
            }
        }
    }

    /**
     * The active checks under the same flood: while every descriptor is held, a probe cannot create its socket.
     * That says nothing about the backend: counted as {@code result="local_resource"}, never as a failed probe,
     * and the backend stays up ({@code fall: 1}, {@code rise: 50} with a 100 ms interval: one probe counted as
     * failed would keep it down, and clients refused, for five seconds after the flood).
     */
    @Test
    void shouldNotTakeAHealthyBackendDownForProbesThisHostCannotMake() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path config = writeConfig(vipPort, adminPort, echo,
                "        health: {check: tcp, interval: 100ms, timeout: 100ms, fall: 1, rise: 50}\n");
            final InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
            try (RouterProcessHandle router = RouterProcessHandle.start(dir, config, FD_LIMIT))
            {
                final InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
                Await.until("the first probes passed", () -> probes(admin, "ok") >= 2);
                assertTrue(served(vip), "served before the flood");
                final List<Socket> held = new ArrayList<>();
                try
                {
                    // Past the limit: the router accepts until it has no descriptor left, the rest wait in the backlog.
                    while (held.size() < FD_LIMIT + 20)
                    {
                        held.add(Loopback.connect(vip, 2_000));
                    }
                    Await.until("every descriptor of the router in use", () -> router.openFds() >= FD_LIMIT,
                        () -> "fds " + router.openFds());
                    Thread.sleep(1_000); // ten probe intervals with no descriptor for a probe
                }
                finally
                {
                    for (final Socket socket : held)
                    {
                        socket.close();
                    }
                }
                Await.until("the held clients are gone", () -> router.openFds() < FD_LIMIT / 2, () -> "fds " + router.openFds());
                final double local = probes(admin, "local_resource");
                final double failed = probes(admin, "failed");
                final double up = RouterProcessHandle.metrics(admin).sum("gatehouse_backend_up");
                final boolean servedAfter = served(vip);
                System.out.println("security: active checks under fd exhaustion (ulimit -n " + FD_LIMIT + "): " + (long)local
                    + " probes counted local_resource, " + (long)failed + " failed, backend_up " + (long)up + ", served after: " + servedAfter);
                assertTrue(local >= 1, "a probe ran while no descriptor was free, counted as this host's");
                assertEquals(0, failed, "never counted as a failed probe of the backend");
                assertEquals(1, up, "the backend stayed up");
                assertTrue(servedAfter, "served at once after the flood");
            }
        }
    }

    private static double probes(final InetSocketAddress admin, final String result)
    {
        try
        {
            return RouterProcessHandle.metrics(admin).sum("gatehouse_health_probes_total", "result", result);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static long active(final InetSocketAddress admin)
    {
        try
        {
            return (long)RouterProcessHandle.metrics(admin).sum("gatehouse_connections_active");
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /** Sends a request for a.test and reads the echo; false when the router closes the connection instead. */
    private static boolean served(final InetSocketAddress vip) throws IOException
    {
        try (Socket socket = Loopback.connect(vip, 10_000))
        {
            final byte[] head = Loopback.httpHead("a.test");
            Loopback.write(socket, head);
            final InputStream in = socket.getInputStream();
            try
            {
                Loopback.readExactly(in, head.length);
                return true;
            }
            catch (final IOException closed)
            {
                return false;
            }
        }
    }

    /** One HTTP listener on {@code vipPort} with route {@code a.test} to {@code backend} ({@code routeExtra}: more route keys). */
    private Path writeConfig(final int vipPort, final int adminPort, final RawBackend backend, final String routeExtra)
        throws IOException
    {
        return FdLimitConfig.write(dir, "epoll", vipPort, adminPort, backend.address().getPort(), routeExtra);
    }
}
