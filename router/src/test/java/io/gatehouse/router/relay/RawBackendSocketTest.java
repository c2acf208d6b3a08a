package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channel-less backend socket on a real epoll loop: a connect reports once, success or failure; a
 * socket given up or caught by the loop's shutdown while connecting leaves no descriptor behind and tells
 * its close task once.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RawBackendSocketTest
{
    private EventLoopGroup group;
    private EventLoop loop;

    @BeforeEach
    void start()
    {
        assumeTrue(Epoll.isAvailable(), "epoll not available here");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void stop() throws Exception
    {
        if (group != null)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Records what a connect comes to; fails the test on a second report. */
    private static final class Outcome implements RawBackendSocket.Listener
    {
        final CompletableFuture<Object> result = new CompletableFuture<>();
        final AtomicInteger reports = new AtomicInteger();

        @Override
        public void onConnected(final RawBackendSocket socket)
        {
            reports.incrementAndGet();
            result.complete(socket);
        }

        @Override
        public void onConnectFailed(final RawBackendSocket socket, final IOException cause)
        {
            reports.incrementAndGet();
            assertFalse(socket.isOpen(), "closed before it is reported failed");
            result.complete(cause);
        }
    }

    private RawBackendSocket connect(final InetSocketAddress target, final Outcome outcome) throws Exception
    {
        return loop.submit(() -> RawBackendSocket.connect(loop, target, outcome)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldConnectAndCarryBytesAndCloseOnce() throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress()))
        {
            final java.util.Set<String> fdsBefore = SpliceTestBed.openPipesAndSockets();
            final Outcome outcome = new Outcome();
            final RawBackendSocket socket = connect((InetSocketAddress)server.getLocalSocketAddress(), outcome);
            try (Socket accepted = server.accept())
            {
                assertEquals(socket, outcome.result.get(5, TimeUnit.SECONDS), "connected");
                assertTrue(loop.submit(() -> new io.netty.channel.unix.Socket(socket.handle().fdInt()).isTcpNoDelay()).get(),
                    "TCP_NODELAY on, as on every backend channel");
                final InetSocketAddress local = loop.submit(socket::localAddress).get();
                assertEquals(accepted.getRemoteSocketAddress(), local, "its local address is the server's peer");
                final AtomicInteger closes = new AtomicInteger();
                loop.submit(() ->
                {
                    socket.onClosed(closedSocket -> closes.incrementAndGet());
                    socket.close();
                    socket.close();
                }).get();
                assertEquals(1, closes.get(), "close task ran once");
                assertFalse(socket.isOpen());
                assertNull(loop.submit(socket::localAddress).get());
                assertEquals(-1, accepted.getInputStream().read(), "the server sees the close");
                loop.submit(() -> socket.onClosed(closedSocket -> closes.incrementAndGet())).get();
                assertEquals(2, closes.get(), "a task given after the close runs at once");
            }
            Thread.sleep(100);
            assertEquals(1, outcome.reports.get());
            assertEquals(fdsBefore, SpliceTestBed.openPipesAndSockets(), "no socket left");
        }
    }

    @Test
    void shouldReportARefusedConnectOnceAndKeepNoDescriptor() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            port = probe.getLocalPort();
        }
        final java.util.Set<String> fdsBefore = SpliceTestBed.openPipesAndSockets();
        final Outcome outcome = new Outcome();
        Object result;
        try
        {
            connect(new InetSocketAddress("127.0.0.1", port), outcome);
            result = outcome.result.get(5, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException refusedAtOnce)
        {
            result = refusedAtOnce.getCause(); // connect(2) may say ECONNREFUSED itself
        }
        assertTrue(result instanceof ConnectException, "refused: " + result);
        assertTrue(String.valueOf(((Throwable)result).getMessage()).contains("refused"), String.valueOf(result));
        Thread.sleep(100);
        assertTrue(outcome.reports.get() <= 1);
        assertEquals(fdsBefore, SpliceTestBed.openPipesAndSockets(), "no socket left");
    }

    @org.junit.jupiter.api.RepeatedTest(5)
    void shouldLeaveNothingWhenGivenUpOrWhenTheLoopStopsWhileConnecting() throws Exception
    {
        // A listener whose accept queue is full drops SYNs: connects to it stay in SYN_SENT.
        try (ServerSocket blackHole = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            final java.util.List<Socket> fillers = new java.util.ArrayList<>();
            try
            {
                for (int i = 0; i < 4; i++)
                {
                    final Socket filler = new Socket();
                    fillers.add(filler);
                    try
                    {
                        filler.connect(blackHole.getLocalSocketAddress(), 200);
                    }
                    catch (final IOException full)
                    {
                        // the queue is full from here on, as wanted
                    }
                }
                final java.util.Set<String> fdsBefore = SpliceTestBed.openPipesAndSockets();
                final InetSocketAddress hole = (InetSocketAddress)blackHole.getLocalSocketAddress();
                final Outcome givenUp = new Outcome();
                final Outcome atShutdown = new Outcome();
                final RawBackendSocket first = connect(hole, givenUp);
                final RawBackendSocket second = connect(hole, atShutdown);
                final AtomicInteger closes = new AtomicInteger();
                loop.submit(() ->
                {
                    first.onClosed(closedSocket -> closes.incrementAndGet());
                    second.onClosed(closedSocket -> closes.incrementAndGet());
                    first.close();
                }).get();
                assertFalse(first.isOpen());
                // A quiet period, so the loop turns once more after the shutdown began: with none, Netty 4.2 may
                // end its loop without closing its registrations (prepareToDestroy runs only on a turn that
                // starts after the shutdown). The router closes its sessions before it stops its loops.
                group.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).sync();
                group = null;
                final Object result = atShutdown.result.get(5, TimeUnit.SECONDS);
                assertTrue(result instanceof IOException, "the loop's shutdown fails the connect: " + result);
                assertFalse(second.isOpen());
                assertEquals(2, closes.get(), "each close task ran once");
                assertEquals(0, givenUp.reports.get(), "a socket given up reports nothing");
                assertEquals(1, atShutdown.reports.get());
                assertEquals(fdsBefore, SpliceTestBed.openPipesAndSockets(), "no socket left");
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
}
