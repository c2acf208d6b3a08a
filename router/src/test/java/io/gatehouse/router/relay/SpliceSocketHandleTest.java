package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a raw socket's handle remembers of epoll's events, on real loopback sockets under a real epoll loop:
 * the peer's FIN heard alone (EPOLLRDHUP) lets the relay take an end of stream for a FIN without asking
 * TCP_INFO; a reset's event (EPOLLHUP, EPOLLERR) never does, whether it comes alone or behind a FIN not yet
 * handled.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpliceSocketHandleTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static MultiThreadIoEventLoopGroup group;
    private static EventLoop loop;

    @BeforeAll
    static void startLoop()
    {
        Epoll.ensureAvailability();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = group.next();
    }

    @AfterAll
    static void stopLoop()
    {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldTakeAFinHeardAloneForTheEndOfStream() throws Exception
    {
        withPeer((socket, peer) ->
        {
            peer.shutdownOutput();
            socket.awaitEvent(Native.EPOLLRDHUP);
            assertTrue(onLoop(socket.handle::heardFinAlone), "EPOLLRDHUP alone: the FIN");
            assertTrue(onLoop(() -> socket.handle.tcpState() != TcpState.TCP_CLOSE), "TCP_INFO agrees: not reset");
        });
    }

    @Test
    void shouldNeverTakeAResetForAFin() throws Exception
    {
        withPeer((socket, peer) ->
        {
            resetBy(peer, socket); // an RST, no FIN
            assertFalse(onLoop(socket.handle::heardFinAlone), "a reset's event");
            assertEquals(TcpState.TCP_CLOSE, (int)onLoop(socket.handle::tcpState));
        });
    }

    @Test
    void shouldForgetTheFinOnceAResetFollowsIt() throws Exception
    {
        withPeer((socket, peer) ->
        {
            peer.shutdownOutput();
            socket.awaitEvent(Native.EPOLLRDHUP);
            assertTrue(onLoop(socket.handle::heardFinAlone));
            resetBy(peer, socket); // the RST behind the FIN
            assertFalse(onLoop(socket.handle::heardFinAlone), "the reset's event came after the FIN's");
        });
    }

    /**
     * A write that fails with ECONNRESET takes the socket's error: a read after it finds only end of stream. That end
     * is the reset's, not a FIN, or the relay would forward a FIN for a client that reset mid-upload (the backend
     * would take a truncated request for a whole one).
     */
    @Test
    void shouldNotTakeTheEndAfterAResetAWriteReportedForAFin() throws Exception
    {
        withPeer((socket, peer) ->
        {
            resetBy(peer, socket); // an RST, no FIN
            final ByteBuffer bytes = ByteBuffer.allocateDirect(64);
            assertEquals(SpliceSocketHandle.FAILED, (int)onLoop(() -> socket.handle.send(bytes, 0, 0, 64)), "the write hears the reset");
            assertEquals(SpliceSocketHandle.FAILED, (int)onLoop(() -> socket.handle.recv(bytes)), "so does the read after it");
        });
    }

    /** A FIN heard alone before the reset is a FIN still, however the reset was then reported. */
    @Test
    void shouldTakeAFinHeardBeforeTheResetAWriteReportedForTheEnd() throws Exception
    {
        withPeer((socket, peer) ->
        {
            peer.getOutputStream().write(new byte[] {1, 2, 3});
            peer.shutdownOutput();
            socket.awaitEvent(Native.EPOLLRDHUP);
            resetBy(peer, socket); // the RST behind the FIN
            final ByteBuffer bytes = ByteBuffer.allocateDirect(64);
            assertEquals(SpliceSocketHandle.FAILED, (int)onLoop(() -> socket.handle.send(bytes, 0, 0, 64)));
            assertEquals(3, (int)onLoop(() -> socket.handle.recv(bytes)), "what it sent before its FIN");
            assertEquals(-1, (int)onLoop(() -> socket.handle.recv(bytes)), "then its FIN");
        });
    }

    /** {@code peer} closes with SO_LINGER 0 (an RST), and epoll tells {@code socket}. */
    private static void resetBy(final Socket peer, final Heard socket) throws Exception
    {
        peer.setSoLinger(true, 0);
        peer.close();
        socket.awaitEvent(SpliceSocketHandle.EPOLLHUP);
    }

    private interface WithPeer
    {
        void run(Heard socket, Socket peer) throws Exception;
    }

    /** A raw socket connected to a blocking peer, registered on the loop with the relay's interest set. */
    private static void withPeer(final WithPeer body) throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK))
        {
            final Heard socket = connect(server);
            try (Socket peer = server.accept())
            {
                onLoop(() ->
                {
                    socket.handle.register(loop);
                    socket.handle.interest(SpliceSocketHandle.EDGES);
                    return null;
                });
                body.run(socket, peer);
            }
            finally
            {
                onLoop(() ->
                {
                    socket.closeSilently();
                    return null;
                });
            }
        }
    }

    private static Heard connect(final ServerSocket server) throws Exception
    {
        final int fd = SocketCalls.newStream(false);
        assertTrue(fd > 0, "socket(2): " + fd);
        final NativeInetAddress target = NativeInetAddress.newInstance(LOOPBACK);
        final int connecting = SocketCalls.connect(fd, false, target.address(), target.scopeId(), server.getLocalPort());
        assertTrue(connecting == 0 || connecting == Errors.ERRNO_EINPROGRESS_NEGATIVE, "connect(2): " + connecting);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SocketCalls.finishConnect(fd) == Errors.ERRNO_EINPROGRESS_NEGATIVE && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        return new Heard(new FileDescriptor(fd));
    }

    private static <T> T onLoop(final Callable<T> call) throws Exception
    {
        return loop.submit(call).get(10, TimeUnit.SECONDS);
    }

    /** A raw socket that only records the events its handle hears. */
    private static final class Heard extends RawSocket
    {
        private final BlockingQueue<Integer> events = new LinkedBlockingQueue<>();

        Heard(final FileDescriptor fd)
        {
            super(fd);
        }

        void awaitEvent(final int ops) throws InterruptedException
        {
            for (Integer ready = events.poll(10, TimeUnit.SECONDS); ; ready = events.poll(10, TimeUnit.SECONDS))
            {
                assertTrue(ready != null, "no event with ops 0x" + Integer.toHexString(ops));
                if ((ready & ops) != 0)
                {
                    return;
                }
            }
        }

        @Override
        void onClose()
        {
        }

        @Override
        void onEvent(final int readyOps)
        {
            events.add(readyOps);
        }

        @Override
        void onLoopClosing()
        {
        }

        @Override
        boolean isReadyForRelay()
        {
            return false;
        }

        @Override
        public InetSocketAddress localAddress()
        {
            return null;
        }

    }
}
