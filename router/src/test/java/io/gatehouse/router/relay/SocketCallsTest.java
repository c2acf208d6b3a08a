package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netty's socket natives, called through {@link SocketCalls} on real loopback sockets, answer with the
 * errno where Netty's wrappers throw: each call the raw relay makes, through a connection's whole life
 * (connect, nothing queued, bytes both ways, the FIN, the peer's reset, the close), and a refused connect.
 * A Netty upgrade that renames or re-types one of them fails here, not on the data path.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketCallsTest
{
    static
    {
        Epoll.ensureAvailability(); // Errors' constants come from the natives: loaded before they are read
    }

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int ECONNRESET = Errors.ERRNO_ECONNRESET_NEGATIVE;
    private static final int ENOTCONN = Errors.ERRNO_ENOTCONN_NEGATIVE;

    @Test
    void shouldAnswerEveryCallOfAConnectionsLifeWithTheErrnoInsteadOfAnException() throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK))
        {
            final int fd = SocketCalls.newStream(false);
            assertTrue(fd > 0, "socket(2): " + fd);
            final FileDescriptor descriptor = new FileDescriptor(fd);
            try
            {
                SocketCalls.setIntOpt(fd, 6, 1, 1); // TCP_NODELAY
                assertEquals(1, SocketCalls.getIntOpt(fd, 6, 1));
                final NativeInetAddress target = NativeInetAddress.newInstance(LOOPBACK);
                final int connecting = SocketCalls.connect(fd, false, target.address(), target.scopeId(), server.getLocalPort());
                assertTrue(connecting == 0 || connecting == Errors.ERRNO_EINPROGRESS_NEGATIVE, "connect(2): " + connecting);
                try (Socket peer = server.accept())
                {
                    assertEquals(0, awaitNot(Errors.ERRNO_EINPROGRESS_NEGATIVE, () -> SocketCalls.finishConnect(fd)));
                    final byte[] local = SocketCalls.localAddress(fd);
                    assertNotNull(local);
                    assertEquals(peer.getRemoteSocketAddress(), NativeInetAddress.address(local, 0, local.length));

                    final ByteBuffer buffer = ByteBuffer.allocateDirect(64);
                    assertTrue(SocketCalls.wouldBlock(SocketCalls.recv(fd, buffer, 0, 64)), "nothing queued: EAGAIN");

                    peer.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    assertEquals(5, awaitNot(Errors.ERRNO_EAGAIN_NEGATIVE, () -> SocketCalls.recv(fd, buffer, 3, 64)));
                    final byte[] got = new byte[5];
                    buffer.get(3, got);
                    assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), got);

                    buffer.put(0, "world!".getBytes(StandardCharsets.US_ASCII));
                    assertEquals(6, SocketCalls.send(fd, buffer, 0, 6));
                    assertEquals("world!", new String(peer.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));

                    assertEquals(0, SocketCalls.shutdownOutput(fd));
                    assertEquals(-1, peer.getInputStream().read(), "the FIN reaches the peer");

                    peer.setSoLinger(true, 0);
                    peer.close(); // RST
                    assertEquals(ECONNRESET, awaitNot(Errors.ERRNO_EAGAIN_NEGATIVE, () -> SocketCalls.recv(fd, buffer, 0, 64)));
                    assertEquals(TcpState.TCP_CLOSE, TcpState.state(fd));
                    assertEquals(ENOTCONN, SocketCalls.shutdownOutput(fd), "a reset socket refuses the FIN, as an errno");
                }
            }
            finally
            {
                descriptor.close();
            }
        }
    }

    @Test
    void shouldMoveBytesThroughAPipeWithSplice() throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK))
        {
            final int fd = SocketCalls.newStream(false);
            final FileDescriptor descriptor = new FileDescriptor(fd);
            final FileDescriptor[] pipe = FileDescriptor.pipe();
            try
            {
                final NativeInetAddress target = NativeInetAddress.newInstance(LOOPBACK);
                SocketCalls.connect(fd, false, target.address(), target.scopeId(), server.getLocalPort());
                try (Socket peer = server.accept())
                {
                    assertEquals(0, awaitNot(Errors.ERRNO_EINPROGRESS_NEGATIVE, () -> SocketCalls.finishConnect(fd)));
                    assertTrue(SocketCalls.wouldBlock(SocketCalls.splice(fd, pipe[1].intValue(), 1 << 16)));
                    peer.getOutputStream().write(new byte[] {1, 2, 3});
                    assertEquals(3, awaitNot(Errors.ERRNO_EAGAIN_NEGATIVE, () -> SocketCalls.splice(fd, pipe[1].intValue(), 1 << 16)));
                    assertEquals(3, SocketCalls.splice(pipe[0].intValue(), fd, 3));
                    final InputStream in = peer.getInputStream();
                    assertArrayEquals(new byte[] {1, 2, 3}, in.readNBytes(3));
                }
            }
            finally
            {
                descriptor.close();
                pipe[0].close();
                pipe[1].close();
            }
        }
    }

    @Test
    void shouldTellARefusedConnectByItsErrno() throws Exception
    {
        final int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK))
        {
            closedPort = probe.getLocalPort();
        }
        final int fd = SocketCalls.newStream(false);
        final FileDescriptor descriptor = new FileDescriptor(fd);
        try
        {
            final NativeInetAddress target = NativeInetAddress.newInstance(LOOPBACK);
            final int connecting = SocketCalls.connect(fd, false, target.address(), target.scopeId(), closedPort);
            final int outcome = connecting == Errors.ERRNO_EINPROGRESS_NEGATIVE
                ? awaitNot(Errors.ERRNO_EINPROGRESS_NEGATIVE, () -> SocketCalls.finishConnect(fd)) : connecting;
            assertEquals(Errors.ERROR_ECONNREFUSED_NEGATIVE, outcome);
        }
        finally
        {
            descriptor.close();
        }
    }

    /** Polls {@code call} (every millisecond, up to 5 s) until it answers something else than {@code pending}. */
    private static int awaitNot(final int pending, final IntSupplier call) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int result = call.getAsInt();
        while (result == pending && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
            result = call.getAsInt();
        }
        return result;
    }
}
