package io.gatehouse.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.listen.BindFailure;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Start, reload, drain: binding all or none, one socket per loop, routes swapped without cutting connections. */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouterLifecycleTest
{
    @Test
    void shouldBindOneReusePortSocketPerEventLoopAndSpreadConnections() throws Exception
    {
        assumeTrue(Transport.EPOLL.isAvailable());
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo);
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.EPOLL, 2,
                TestConfigs.listener("l", TestConfigs.route(List.of("echo.test"), echo.address())).defaultRoute("echo.test"))))
        {
            assertEquals(2, router.listeningSockets("l"));
            for (int i = 0; i < 64; i++)
            {
                assertEquals("x", roundTrip(router.boundAddress("l"), "x"));
            }
            for (final Worker worker : router.workers())
            {
                assertTrue(router.metrics().listener("l").accepted(worker.index()) > 0,
                    "the kernel spread connections to every loop's socket");
            }
        }
    }

    @Test
    void shouldServeOnIpv6Loopback() throws Exception
    {
        final InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(v6 instanceof Inet6Address && canBind(v6), "no IPv6 loopback here");
        try (RawBackend echo = new RawBackend("echo6", v6, RawBackend::echo);
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("v6", TestConfigs.route(List.of("echo.test"), echo.address()))
                    .host("::1").defaultRoute("echo.test"))))
        {
            assertEquals("v6", roundTrip(router.boundAddress("v6"), "v6"));
        }
    }

    @Test
    void shouldBindNothingWhenOneAddressIsTaken() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int freePort = probe.getLocalPort();
            probe.close();
            final GatehouseConfig config = TestConfigs.config(RuntimeConfig.Transport.AUTO, 2,
                TestConfigs.listener("free", TestConfigs.route(List.of("a.test"), new InetSocketAddress("127.0.0.1", 9)))
                    .port(freePort),
                TestConfigs.listener("taken", TestConfigs.route(List.of("a.test"), new InetSocketAddress("127.0.0.1", 9)))
                    .port(taken.getLocalPort()));
            final BindFailure failure = assertThrows(BindFailure.class, () -> Router.start(config));
            assertEquals("127.0.0.1:" + taken.getLocalPort(), failure.address());
            assertTrue(canBind(InetAddress.getLoopbackAddress(), freePort), "the free listener was released again");
        }
    }

    @Test
    void shouldSwapRoutesOnReloadWithoutCuttingAnEstablishedConnection() throws Exception
    {
        try (RawBackend first = new RawBackend("first", session("first"));
            RawBackend second = new RawBackend("second", session("second")))
        {
            final TestConfigs.Listener before = TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), first.address()))
                .defaultRoute("x.test");
            try (Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 2, before)))
            {
                final InetSocketAddress address = router.boundAddress("l");
                try (Socket established = connect(address))
                {
                    assertEquals("first:a", exchange(established, "a"));
                    router.reload(TestConfigs.config(RuntimeConfig.Transport.AUTO, 2,
                        TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), second.address()))
                            .port(address.getPort()).defaultRoute("x.test"),
                        TestConfigs.listener("added", TestConfigs.route(List.of("x.test"), second.address()))
                            .defaultRoute("x.test")));
                    assertEquals(address, router.boundAddress("l"), "a kept listener keeps its sockets");
                    assertEquals("first:b", exchange(established, "b"), "the established connection survived the reload");
                    try (Socket fresh = connect(address))
                    {
                        assertEquals("second:c", exchange(fresh, "c"), "new connections follow the new routes");
                    }
                    final InetSocketAddress added = router.boundAddress("added");
                    assertNotNull(added);
                    router.reload(TestConfigs.config(RuntimeConfig.Transport.AUTO, 2,
                        TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), second.address()))
                            .port(address.getPort()).defaultRoute("x.test")));
                    assertNull(router.boundAddress("added"));
                    assertTrue(canBind(added.getAddress(), added.getPort()), "a removed listener's socket is closed");
                    assertEquals("first:d", exchange(established, "d"));
                }
            }
        }
    }

    @Test
    void shouldLeaveTheOldConfigServingWhenAReloadCannotBind() throws Exception
    {
        try (RawBackend first = new RawBackend("first", session("first"));
            ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), first.address())).defaultRoute("x.test"))))
        {
            final InetSocketAddress address = router.boundAddress("l");
            assertThrows(BindFailure.class, () -> router.reload(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), new InetSocketAddress("127.0.0.1", 9)))
                    .port(address.getPort()).defaultRoute("x.test"),
                TestConfigs.listener("taken", TestConfigs.route(List.of("x.test"), first.address()))
                    .port(taken.getLocalPort()))));
            try (Socket client = connect(address))
            {
                assertEquals("first:z", exchange(client, "z"), "the old routes still serve");
            }
        }
    }

    @Test
    void shouldDrainByClosingListenersAndWaitingForOpenConnections() throws Exception
    {
        try (RawBackend first = new RawBackend("first", session("first"));
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), first.address())).defaultRoute("x.test"))))
        {
            final InetSocketAddress address = router.boundAddress("l");
            final Socket open = connect(address);
            assertEquals("first:a", exchange(open, "a"));
            final Thread closer = new Thread(() ->
            {
                Await.until("the listener is closed", () -> router.listeningSockets("l") == 0);
                try
                {
                    assertEquals("first:b", exchange(open, "b"), "an open connection keeps working while draining");
                    open.close();
                }
                catch (final IOException ex)
                {
                    throw new AssertionError(ex);
                }
            });
            closer.start();
            assertTrue(router.drain(Duration.ofSeconds(20)), "the open connection finished within the drain timeout");
            closer.join();
            assertTrue(canBind(address.getAddress(), address.getPort()), "no listening socket left");
        }
    }

    @Test
    void shouldCloseWhatIsLeftWhenTheDrainTimeoutPasses() throws Exception
    {
        try (RawBackend first = new RawBackend("first", session("first"));
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("l", TestConfigs.route(List.of("x.test"), first.address())).defaultRoute("x.test")));
            Socket open = connect(router.boundAddress("l")))
        {
            assertEquals("first:a", exchange(open, "a"));
            assertFalse(router.drain(Duration.ofMillis(1)));
            assertEquals(-1, open.getInputStream().read());
        }
    }

    private static RawBackend.Session session(final String id)
    {
        return socket ->
        {
            final InputStream in = socket.getInputStream();
            int c;
            while ((c = in.read()) >= 0)
            {
                if (c != 0)
                {
                    socket.getOutputStream().write((id + ":" + (char)c + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
        };
    }

    private static Socket connect(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(0);
        return socket;
    }

    private static String exchange(final Socket socket, final String letter) throws IOException
    {
        socket.getOutputStream().write(letter.getBytes(StandardCharsets.US_ASCII));
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = socket.getInputStream().read()) >= 0 && c != '\n')
        {
            line.append((char)c);
        }
        return line.toString();
    }

    private static String roundTrip(final InetSocketAddress address, final String text) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(0);
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            final byte[] back = socket.getInputStream().readAllBytes();
            return new String(back, 1, back.length - 1, StandardCharsets.US_ASCII);
        }
    }

    private static boolean canBind(final InetAddress address)
    {
        return canBind(address, 0);
    }

    private static boolean canBind(final InetAddress address, final int port)
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(address, port));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
