package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.metrics.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backends that fail under a live router: killed mid-stream, black-holed (SYNs dropped), accepting and
 * never answering, resetting. Each test prints its figure as one {@code reliability:} line.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BackendFaultTest
{
    private static final int STREAMS = 16;
    private static final int NEW_CONNECTIONS = 400;
    private static final int CHUNK_BYTES = 4096;

    @TempDir
    Path dir;

    /** Writes its one-letter name and a newline, then echoes. */
    private static RawBackend.Session namedEcho(final String name)
    {
        return socket ->
        {
            socket.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            RawBackend.echo(socket);
        };
    }

    private static String config(final String runtime, final String route)
    {
        return "runtime: {workers: 2, drain_timeout: 1s" + runtime + "}\n"
            + "listeners:\n"
            + "  - name: vip\n"
            + "    address: 127.0.0.1:0\n"
            + "    protocol: http\n"
            + "    routes:\n"
            + route;
    }

    private static String route(final String host, final String extra, final InetSocketAddress... backends)
    {
        return route(host, "round_robin", extra, backends);
    }

    private static String route(final String host, final String balance, final String extra, final InetSocketAddress... backends)
    {
        final StringBuilder list = new StringBuilder();
        for (final InetSocketAddress backend : backends)
        {
            list.append(list.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(backend.getPort()).append('"');
        }
        return "      - hostnames: [" + host + "]\n"
            + "        backends: [" + list + "]\n"
            + "        balance: " + balance + "\n"
            + extra;
    }

    /** Connects, sends the head, reads the backend's name line and the echoed head. */
    private static String open(final Socket socket, final String host) throws IOException
    {
        final byte[] head = Loopback.httpHead(host);
        Loopback.write(socket, head);
        final InputStream in = socket.getInputStream();
        final String name = new String(Loopback.readExactly(in, 2), StandardCharsets.US_ASCII).strip();
        Loopback.readExactly(in, head.length);
        return name;
    }

    @Test
    void shouldCloseTheClientsOfAKilledBackendAndServeEveryNewConnectionFromTheOther() throws Exception
    {
        final RawBackend a = new RawBackend("a", namedEcho("A"));
        try (RawBackend b = new RawBackend("b", namedEcho("B"));
             RouterUnderTest router = RouterUnderTest.start(dir, config("",
                 route("echo.test", "        connect_timeout: 500ms\n", a.address(), b.address()))))
        {
            final InetSocketAddress vip = router.vip("vip");
            final List<Socket> onA = new ArrayList<>();
            final List<Socket> onB = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++)
            {
                final Socket socket = Loopback.connect(vip, 10_000);
                (open(socket, "echo.test").equals("A") ? onA : onB).add(socket);
            }
            assertTrue(!onA.isEmpty() && !onB.isEmpty(), "round robin spread the streams: A " + onA.size() + ", B " + onB.size());

            final AtomicBoolean streaming = new AtomicBoolean(true);
            final AtomicLong verifiedBytes = new AtomicLong();
            final List<String> bFailures = new CopyOnWriteArrayList<>();
            final ExecutorService pool = Executors.newCachedThreadPool();
            final List<Future<Loopback.End>> aEnds = new ArrayList<>();
            final CountDownLatch everyStreamMoved = new CountDownLatch(onA.size() + onB.size());
            for (final Socket socket : onA)
            {
                aEnds.add(pool.submit(() -> streamUntilClosed(socket, verifiedBytes, everyStreamMoved)));
            }
            final List<Future<?>> bStreams = new ArrayList<>();
            for (final Socket socket : onB)
            {
                bStreams.add(pool.submit(() ->
                {
                    try
                    {
                        long seed = socket.getLocalPort();
                        boolean counted = false;
                        while (streaming.get())
                        {
                            Loopback.roundTrip(socket, Loopback.payload(seed++, CHUNK_BYTES));
                            verifiedBytes.addAndGet(CHUNK_BYTES);
                            if (!counted)
                            {
                                counted = true;
                                everyStreamMoved.countDown();
                            }
                        }
                        socket.close();
                    }
                    catch (final IOException | AssertionError ex)
                    {
                        bFailures.add(ex.toString());
                    }
                    return null;
                }));
            }
            assertTrue(everyStreamMoved.await(20, TimeUnit.SECONDS), "every stream relayed bytes before the kill");

            final long killNs = System.nanoTime();
            a.close();
            int closed = 0;
            for (final Future<Loopback.End> end : aEnds)
            {
                end.get(20, TimeUnit.SECONDS);
                closed++;
            }
            final long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killNs);

            final long newStartNs = System.nanoTime();
            final List<Future<Integer>> fresh = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                fresh.add(pool.submit(() ->
                {
                    int ok = 0;
                    for (int i = 0; i < NEW_CONNECTIONS / 4; i++)
                    {
                        try (Socket socket = Loopback.connect(vip, 10_000))
                        {
                            try
                            {
                                assertEquals("B", open(socket, "echo.test"), "a new connection went to the healthy backend");
                            }
                            catch (final IOException ex)
                            {
                                throw new AssertionError("new connection " + i + " lost: " + ex + "; " + counters(router), ex);
                            }
                            Loopback.roundTrip(socket, Loopback.payload(i, 1024));
                            verifiedBytes.addAndGet(1024);
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int served = 0;
            for (final Future<Integer> future : fresh)
            {
                served += future.get(60, TimeUnit.SECONDS);
            }
            final long newMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - newStartNs);
            streaming.set(false);
            for (final Future<?> stream : bStreams)
            {
                stream.get(20, TimeUnit.SECONDS);
            }
            pool.shutdownNow();

            assertEquals(List.of(), bFailures, "streams on the surviving backend");
            assertEquals(NEW_CONNECTIONS, served);
            router.awaitNoConnections();
            System.out.println("reliability: backend killed mid-stream: " + onA.size() + " streams on it closed within " + closeMs
                + " ms, " + onB.size() + " streams on the other kept relaying, " + served + "/" + NEW_CONNECTIONS
                + " new connections served in " + newMs + " ms (0 failed), " + verifiedBytes.get() + " bytes verified, "
                + router.count(Counter.CONNECT_FAILED) + " connect failures retried");
            assertEquals(onA.size(), closed);
        }
    }

    private static String counters(final RouterUnderTest router)
    {
        return "connect failures " + router.count(Counter.CONNECT_FAILED) + ", exhausted " + router.count(Counter.CONNECT_EXHAUSTED)
            + ", relays " + router.count(Counter.RELAYED) + ", resets " + router.count(Counter.RELAY_RESET);
    }

    /** Round trips until the connection ends; an end is the expected outcome once the backend is killed. */
    private static Loopback.End streamUntilClosed(final Socket socket, final AtomicLong verifiedBytes, final CountDownLatch moved)
        throws IOException
    {
        long seed = socket.getLocalPort();
        boolean counted = false;
        try (socket)
        {
            while (true)
            {
                try
                {
                    Loopback.roundTrip(socket, Loopback.payload(seed++, CHUNK_BYTES));
                }
                catch (final IOException ex)
                {
                    return Loopback.End.EOF;
                }
                verifiedBytes.addAndGet(CHUNK_BYTES);
                if (!counted)
                {
                    counted = true;
                    moved.countDown();
                }
            }
        }
    }

    /**
     * Every transport: the connect timeout is the worker tick's, one rule for the channel-less backend socket
     * (epoll) and Netty's channels (io_uring, NIO).
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldRetryPastABlackHoledBackendWithinTheConnectTimeout(final Transport transport) throws Exception
    {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        try (ServerSocket blackHole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             RawBackend good = new RawBackend("good", namedEcho("G")))
        {
            final List<Socket> fillers = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                final Socket filler = new Socket();
                try
                {
                    filler.connect(blackHole.getLocalSocketAddress(), 200);
                }
                catch (final IOException ex)
                {
                    // The accept queue is full: SYNs to it are dropped from here on, as wanted.
                }
                fillers.add(filler);
            }
            final InetSocketAddress hole = (InetSocketAddress)blackHole.getLocalSocketAddress();
            try (RouterUnderTest router = RouterUnderTest.start(dir, config(", transport: " + transport.name().toLowerCase(java.util.Locale.ROOT),
                route("echo.test", "maglev", "        hash_key: four_tuple\n        connect_timeout: 300ms\n        connect_attempts: 2\n"
                    + "        health: {eject_after: 0}\n", hole, good.address()))))
            {
                final InetSocketAddress vip = router.vip("vip");
                final int connections = 20;
                long slowestMs = 0;
                for (int i = 0; i < connections; i++)
                {
                    final long startNs = System.nanoTime();
                    try (Socket socket = Loopback.connect(vip, 10_000))
                    {
                        assertEquals("G", open(socket, "echo.test"));
                        Loopback.roundTrip(socket, Loopback.payload(i, 512));
                    }
                    slowestMs = Math.max(slowestMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                }
                final long failed = router.count(Counter.CONNECT_FAILED);
                assertTrue(failed > 0, "connects to the black hole timed out and were retried: " + failed);
                assertEquals(0, router.count(Counter.CONNECT_EXHAUSTED));
                assertTrue(slowestMs < 2_000, "the slowest connection waited one connect timeout, not more: " + slowestMs + " ms");
                router.awaitNoConnections();
                System.out.println("reliability: black-holed backend (" + transport + "): " + connections + "/" + connections + " connections served, "
                    + failed + " connect timeouts (300 ms) retried to the other backend, slowest " + slowestMs + " ms");
            }
            for (final Socket filler : fillers)
            {
                filler.close();
            }
        }
    }

    /**
     * What a client sends while its backend still connects, and its FIN, reach the backend once the connect
     * completes. The client's socket is not read meanwhile; on epoll the relay runs edge-triggered, so the
     * edges for those bytes and that FIN came while nobody read, and only the socket's handle remembers them
     * when the relay starts (no epoll_ctl re-reports them). The backend's accept queue is full, so the router's
     * SYN is dropped and retried about a second later, after the test has made room and the client has sent.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldRelayWhatTheClientSentAndItsFinWhileItsBackendWasConnecting(final Transport transport) throws Exception
    {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        try (ServerSocket slow = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final List<Socket> fillers = new ArrayList<>();
            final List<Integer> fillerPorts = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                final Socket filler = new Socket();
                try
                {
                    filler.connect(slow.getLocalSocketAddress(), 200);
                    fillerPorts.add(filler.getLocalPort());
                }
                catch (final IOException ex)
                {
                    // The accept queue is full: SYNs to it are dropped from here on, as wanted.
                }
                fillers.add(filler);
            }
            try (RouterUnderTest router = RouterUnderTest.start(dir, config(", transport: " + transport.name().toLowerCase(java.util.Locale.ROOT),
                route("slow.test", "        connect_timeout: 8s\n        connect_attempts: 1\n        health: {eject_after: 0}\n",
                    (InetSocketAddress)slow.getLocalSocketAddress())));
                 Socket client = Loopback.connect(router.vip("vip"), 10_000))
            {
                final byte[] head = Loopback.httpHead("slow.test");
                final byte[] more = Loopback.payload(7, 48 * 1024);
                Loopback.write(client, head);
                Thread.sleep(300); // routed, its backend's SYN dropped: the client is not being read now
                Loopback.write(client, more);
                client.shutdownOutput();
                Thread.sleep(200);
                slow.setSoTimeout(10_000);
                Socket relayed = null;
                while (relayed == null)
                {
                    final Socket accepted = slow.accept(); // the fillers first (room for the retried SYN), then the router's
                    if (fillerPorts.contains(accepted.getPort()))
                    {
                        accepted.close();
                    }
                    else
                    {
                        relayed = accepted;
                    }
                }
                try (Socket backend = relayed)
                {
                    backend.setSoTimeout(10_000);
                    final InputStream in = backend.getInputStream();
                    final byte[] sent = new byte[head.length + more.length];
                    System.arraycopy(head, 0, sent, 0, head.length);
                    System.arraycopy(more, 0, sent, head.length, more.length);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(sent, Loopback.readExactly(in, sent.length),
                        "every byte the client sent while its backend connected, in order");
                    assertEquals(-1, in.read(), "then the client's FIN");
                }
                router.awaitNoConnections();
            }
            finally
            {
                for (final Socket filler : fillers)
                {
                    filler.close();
                }
            }
        }
    }

    @Test
    void shouldCloseRelaysToASilentBackendAtTheIdleTimeout() throws Exception
    {
        try (RawBackend silent = new RawBackend("silent", socket ->
        {
            final InputStream in = socket.getInputStream();
            final byte[] sink = new byte[4096];
            while (in.read(sink) >= 0)
            {
                // Reads and never answers.
            }
        });
             RouterUnderTest router = RouterUnderTest.start(dir, config(", idle_timeout: 1s",
                 route("silent.test", "", silent.address()))))
        {
            final InetSocketAddress vip = router.vip("vip");
            final int clients = 20;
            final List<Socket> sockets = new ArrayList<>();
            final long startNs = System.nanoTime();
            for (int i = 0; i < clients; i++)
            {
                final Socket socket = Loopback.connect(vip, 10_000);
                Loopback.write(socket, Loopback.httpHead("silent.test"));
                sockets.add(socket);
            }
            int closed = 0;
            for (final Socket socket : sockets)
            {
                assertEquals(Loopback.End.EOF, Loopback.readToEnd(socket), "the router closed the silent relay");
                socket.close();
                closed++;
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            Await.until("every relay counted as idle", () -> router.count(Counter.RELAY_IDLE_TIMEOUT) >= clients);
            assertTrue(elapsedMs >= 900, "not closed before the idle timeout: " + elapsedMs + " ms");
            router.awaitNoConnections();
            System.out.println("reliability: backend accepts and never answers: " + closed + " relays closed at the 1 s idle timeout ("
                + elapsedMs + " ms for all), " + router.count(Counter.RELAY_IDLE_TIMEOUT) + " counted idle");
        }
    }

    @Test
    void shouldEndEveryClientOfAResettingBackendWithoutLeaking() throws Exception
    {
        try (RawBackend resetting = new RawBackend("reset", socket ->
        {
            final InputStream in = socket.getInputStream();
            final byte[] sink = new byte[16 * 1024];
            int total = 0;
            int n;
            while (total < sink.length && (n = in.read(sink)) >= 0)
            {
                total += n;
            }
            socket.setSoLinger(true, 0);
        });
             RouterUnderTest router = RouterUnderTest.start(dir, config("",
                 route("reset.test", "", resetting.address()))))
        {
            final InetSocketAddress vip = router.vip("vip");
            final int baselineFds = Loopback.openFds();
            final int clients = 200;
            final ExecutorService pool = Executors.newFixedThreadPool(4);
            final List<Future<Loopback.End>> ends = new ArrayList<>();
            for (int i = 0; i < clients; i++)
            {
                final int seed = i;
                ends.add(pool.submit(() ->
                {
                    try (Socket socket = Loopback.connect(vip, 10_000))
                    {
                        Loopback.write(socket, Loopback.httpHead("reset.test"));
                        try
                        {
                            Loopback.write(socket, Loopback.payload(seed, 64 * 1024));
                        }
                        catch (final IOException ex)
                        {
                            // The reset reached the client while it was writing: an end too.
                            return Loopback.End.RESET;
                        }
                        return Loopback.readToEnd(socket);
                    }
                }));
            }
            int eof = 0;
            int reset = 0;
            for (final Future<Loopback.End> end : ends)
            {
                final Loopback.End value = end.get(30, TimeUnit.SECONDS);
                assertTrue(value != Loopback.End.TIMEOUT, "a client of a reset backend hung");
                eof += value == Loopback.End.EOF ? 1 : 0;
                reset += value == Loopback.End.RESET ? 1 : 0;
            }
            pool.shutdownNow();
            router.awaitNoConnections();
            Await.until("fd count back to baseline " + baselineFds, () -> Loopback.openFds() <= baselineFds,
                () -> "now " + Loopback.openFds());
            assertTrue(router.count(Counter.RELAY_RESET) > 0, "resets were counted");
            System.out.println("reliability: resetting backend: " + clients + " clients ended (" + eof + " EOF, " + reset
                + " RST), 0 hung, " + router.count(Counter.RELAY_RESET) + " relay resets counted, fds back to " + baselineFds);
        }
    }
}
