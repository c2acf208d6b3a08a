package io.gatehouse.router.peek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.LogGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.metrics.RouteCounters;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input and faults get a counted outcome and a close (or an answer), never a stack trace, a leaked
 * buffer or a hang. Time-driven outcomes move an injected clock instead of waiting.
 */
@ExtendWith(LeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeekOutcomesTest
{
    private static final long PEEK_TIMEOUT_MS = 5_000;
    private static final long SERVER_FIRST_DELAY_MS = 300;
    private static final long IDLE_TIMEOUT_MS = 60_000;

    private final CachedNanoClock clock = new CachedNanoClock();
    private LogGuard logs;
    private RawBackend echo;
    private RawBackend resetter;
    private RawBackend banner;
    private Router router;
    private InetSocketAddress strict;
    private InetSocketAddress small;
    private InetSocketAddress dead;
    private InetSocketAddress serverFirst;
    private InetSocketAddress denied;
    private InetSocketAddress relayed;
    private InetSocketAddress resets;
    private InetSocketAddress limited;

    @BeforeAll
    void start() throws Exception
    {
        logs = new LogGuard();
        echo = new RawBackend("echo", RawBackend::echo);
        resetter = new RawBackend("resetter", socket ->
        {
            socket.getInputStream().readNBytes(10);
            socket.setSoLinger(true, 0);
        });
        banner = new RawBackend("banner", socket ->
        {
            socket.getOutputStream().write("220 hello\n".getBytes(StandardCharsets.US_ASCII));
            RawBackend.echo(socket);
        });
        final InetSocketAddress refused1 = refusedAddress();
        final InetSocketAddress refused2 = refusedAddress();
        router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
            TestConfigs.listener("strict", TestConfigs.route(List.of("known.test"), echo.address()))
                .peekTimeoutMs(PEEK_TIMEOUT_MS),
            TestConfigs.listener("small", TestConfigs.route(List.of("known.test"), echo.address())).peekMaxBytes(512),
            TestConfigs.listener("dead", TestConfigs.route(List.of("dead.test"), refused1, refused2)).defaultRoute("dead.test"),
            TestConfigs.listener("server-first", TestConfigs.route(List.of("banner.test"), banner.address()))
                .serverFirst("banner.test", SERVER_FIRST_DELAY_MS),
            TestConfigs.listener("denied", TestConfigs.route(List.of("known.test"), echo.address()))
                .deny(new Cidr(new byte[] {127, 0, 0, 0}, 8)),
            TestConfigs.listener("relayed", TestConfigs.route(List.of("known.test"), echo.address())).defaultRoute("known.test"),
            TestConfigs.listener("resets", TestConfigs.route(List.of("known.test"), resetter.address())).defaultRoute("known.test"),
            TestConfigs.listener("limited", TestConfigs.route(List.of("known.test"), echo.address())).defaultRoute("known.test")
                .limits(new io.gatehouse.router.config.SourceLimitConfig(1, 0, 0))),
            clock);
        strict = router.boundAddress("strict");
        small = router.boundAddress("small");
        dead = router.boundAddress("dead");
        serverFirst = router.boundAddress("server-first");
        denied = router.boundAddress("denied");
        relayed = router.boundAddress("relayed");
        resets = router.boundAddress("resets");
        limited = router.boundAddress("limited");
    }

    @AfterAll
    void stop() throws IOException
    {
        router.close();
        echo.close();
        resetter.close();
        banner.close();
        logs.close();
        assertEquals(List.of(), logs.warnings(), "no warning or stack trace is logged for bad input or faults");
    }

    @Test
    void shouldCloseAndCountBytesThatAreNoKnownProtocol() throws Exception
    {
        final long before = total(Counter.PEEK_NOT_RECOGNISED);
        try (Socket client = connect(strict))
        {
            client.getOutputStream().write(new byte[] {0, 1, 2, 3, 'g', 'a', 'r', 'b', 'a', 'g', 'e'});
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(before + 1, total(Counter.PEEK_NOT_RECOGNISED));
    }

    @Test
    void shouldCloseAndCountAMalformedHandshake() throws Exception
    {
        final long before = total(Counter.PEEK_MALFORMED);
        try (Socket client = connect(strict))
        {
            // record: handshake, TLS 1.0, length 4; handshake: type server_hello (2), length 0
            client.getOutputStream().write(new byte[] {0x16, 3, 1, 0, 4, 2, 0, 0, 0});
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(before + 1, total(Counter.PEEK_MALFORMED));
    }

    @Test
    void shouldCloseAndCountATruncatedHelloEndedByAFin() throws Exception
    {
        final long before = total(Counter.PEEK_EOF);
        final byte[] hello = new ClientHelloBuilder().serverName("known.test").build();
        try (Socket client = connect(strict))
        {
            client.getOutputStream().write(Arrays.copyOf(hello, hello.length / 2));
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
        }
        Await.until("peek eof counted", () -> total(Counter.PEEK_EOF) == before + 1);
    }

    @Test
    void shouldCloseAndCountAHelloLargerThanThePeekBound() throws Exception
    {
        final long before = total(Counter.PEEK_TOO_LARGE);
        final byte[] hello = new ClientHelloBuilder().serverName("known.test").padToBytes(2000).build();
        try (Socket client = connect(small))
        {
            client.getOutputStream().write(hello);
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(before + 1, total(Counter.PEEK_TOO_LARGE));
    }

    @Test
    void shouldCloseASlowClientOnlyOnceTheClockPassesThePeekDeadline() throws Exception
    {
        final long before = total(Counter.PEEK_TIMEOUT);
        final byte[] hello = new ClientHelloBuilder().serverName("known.test").build();
        Await.until("no other client is peeking", () -> peeking() == 0);
        try (Socket client = connect(strict))
        {
            client.getOutputStream().write(hello, 0, 10);
            Await.until("the client is peeking", () -> peeking() == 1);
            tick(PEEK_TIMEOUT_MS - 1);
            client.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(), "closed before its deadline");
            tick(1);
            client.setSoTimeout(10_000);
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(before + 1, total(Counter.PEEK_TIMEOUT));
    }

    @Test
    void shouldRouteASilentClientToTheServerFirstRouteAfterTheDelay() throws Exception
    {
        final long before = total(Counter.PEEK_SERVER_FIRST);
        Await.until("no other client is peeking", () -> peeking() == 0);
        try (Socket client = connect(serverFirst))
        {
            Await.until("the client is peeking", () -> peeking() == 1);
            tick(SERVER_FIRST_DELAY_MS);
            assertEquals("220 hello", readLine(client.getInputStream()));
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", readLine(client.getInputStream()));
        }
        assertEquals(before + 1, total(Counter.PEEK_SERVER_FIRST));
    }

    @Test
    void shouldTryTheNextBackendThenCloseTheClientWhenEveryConnectIsRefused() throws Exception
    {
        final long failedBefore = total(Counter.CONNECT_FAILED);
        final long exhaustedBefore = total(Counter.CONNECT_EXHAUSTED);
        try (Socket client = connect(dead))
        {
            client.getOutputStream().write(new ClientHelloBuilder().serverName("dead.test").build());
            assertEquals(-1, client.getInputStream().read());
        }
        Await.until("exhausted counted", () -> total(Counter.CONNECT_EXHAUSTED) == exhaustedBefore + 1);
        assertTrue(total(Counter.CONNECT_FAILED) >= failedBefore + 2, "every backend was tried");
        final RouteCounters route = router.metrics().route("dead", "dead.test");
        assertTrue(route.backendConnectFailures(0) >= 1 && route.backendConnectFailures(1) >= 1, "failures are counted per backend");
    }

    @Test
    void shouldCloseTheClientWhenTheBackendResetsMidStream() throws Exception
    {
        final long before = total(Counter.RELAY_RESET);
        try (Socket client = connect(resets))
        {
            client.getOutputStream().write(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
            try
            {
                assertEquals(-1, client.getInputStream().read());
            }
            catch (final IOException ex)
            {
                // a reset passed on is as good as a close
            }
        }
        Await.until("reset counted", () -> total(Counter.RELAY_RESET) == before + 1);
    }

    @Test
    void shouldCloseAnIdleRelayOnlyOnceTheClockPassesTheIdleTimeout() throws Exception
    {
        final long before = total(Counter.RELAY_IDLE_TIMEOUT);
        Await.until("no other relay is open", () -> relaying() == 0);
        try (Socket client = connect(relayed))
        {
            client.getOutputStream().write(new byte[] {0, 'x', '\n'});
            final InputStream in = client.getInputStream();
            assertEquals(0, in.read());
            assertEquals('x', in.read());
            assertEquals('\n', in.read());
            Await.until("the relay is listed", () -> relaying() == 1);
            idleCheck(0);
            idleCheck(IDLE_TIMEOUT_MS - 1);
            client.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(), "closed before the idle timeout");
            idleCheck(1);
            client.setSoTimeout(10_000);
            assertEquals(-1, in.read());
        }
        assertEquals(before + 1, total(Counter.RELAY_IDLE_TIMEOUT));
    }

    @Test
    void shouldCloseAndCountADeniedSource() throws Exception
    {
        final long before = total(Counter.REJECTED_ACL);
        try (Socket client = connect(denied))
        {
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(before + 1, total(Counter.REJECTED_ACL));
    }

    @Test
    void shouldRefuseASecondConnectionFromASourceLimitedToOneAndAdmitItAgainAfterTheFirstCloses() throws Exception
    {
        final long before = total(Counter.REJECTED_ACL);
        try (Socket first = connect(limited))
        {
            first.getOutputStream().write(new byte[] {0, 'a'});
            assertEquals(0, first.getInputStream().read());
            try (Socket second = connect(limited))
            {
                assertEquals(-1, second.getInputStream().read(), "over the per-source limit");
            }
            assertEquals(before + 1, total(Counter.REJECTED_ACL));
        }
        Await.until("the first connection is released", () -> router.metrics().activeConnections() == 0);
        try (Socket third = connect(limited))
        {
            third.getOutputStream().write(new byte[] {0, 'c'});
            assertEquals(0, third.getInputStream().read());
            assertEquals('c', third.getInputStream().read());
        }
    }

    private long total(final Counter counter)
    {
        return router.metrics().total(counter);
    }

    private int peeking()
    {
        int sum = 0;
        for (final Worker worker : router.workers())
        {
            sum += worker.peeking().size();
        }
        return sum;
    }

    private int relaying()
    {
        int sum = 0;
        for (final Worker worker : router.workers())
        {
            sum += worker.relaying().size();
        }
        return sum;
    }

    private void tick(final long advanceMs)
    {
        clock.advance(TimeUnit.MILLISECONDS.toNanos(advanceMs));
        for (final Worker worker : router.workers())
        {
            worker.tickNow().syncUninterruptibly();
        }
    }

    private void idleCheck(final long advanceMs)
    {
        clock.advance(TimeUnit.MILLISECONDS.toNanos(advanceMs));
        for (final Worker worker : router.workers())
        {
            worker.idleCheckNow().syncUninterruptibly();
        }
    }

    private static Socket connect(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n')
        {
            line.append((char)c);
        }
        return line.toString();
    }

    private static InetSocketAddress refusedAddress() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return (InetSocketAddress)socket.getLocalSocketAddress();
        }
    }
}
