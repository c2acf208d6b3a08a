package io.gatehouse.router.relay;

import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * The socket system calls of the raw relay's sockets, made through Netty's own JNI entry points (the
 * private static natives of {@link Socket} and epoll's {@link Native}, which return {@code -errno}) on a
 * plain fd, so that the relay reads the errno instead of catching what Netty's public wrappers build from
 * it. Two costs go with the wrappers, per connection under wrk {@code Connection: close}: every other
 * connection's client resets (ECONNRESET on a read, EPIPE or ENOTCONN on a write or shutdown), and each
 * becomes a {@code NativeIoException} with a formatted message, thrown up through the relay's frames; and
 * a wrapper needs a {@link Socket} object, whose constructor asks getsockname(2) whether the socket is
 * IPv6 (twice per connection: the accepted client, the backend). A raw socket is a
 * {@link io.netty.channel.unix.FileDescriptor} instead, and says what it needs from these calls.
 *
 * <p>Each handle is a constant ({@code static final}), so the JIT calls the native as directly as Netty's
 * wrappers do. Every call is a thin system call with no state: any thread, but the relay calls them on
 * the fd's event loop only (an fd is only valid while its owner holds it open).
 */
final class SocketCalls
{
    /** {@code IPPROTO_TCP} and its options (linux/tcp.h) that the raw sockets set or read. */
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    static final int TCP_INFO = 11;

    /** Nothing queued (recv) or no room (send): wait for readiness. */
    private static final int EAGAIN = Errors.ERRNO_EAGAIN_NEGATIVE;
    private static final int EWOULDBLOCK = Errors.ERRNO_EWOULDBLOCK_NEGATIVE;

    private static final MethodHandle RECV_ADDRESS = find(Socket.class, "recvAddress", int.class, int.class, long.class, int.class, int.class);
    private static final MethodHandle RECV = find(Socket.class, "recv", int.class, int.class, ByteBuffer.class, int.class, int.class);
    private static final MethodHandle SEND_ADDRESS = find(Socket.class, "sendAddress", int.class, int.class, long.class, int.class, int.class);
    private static final MethodHandle SEND = find(Socket.class, "send", int.class, int.class, ByteBuffer.class, int.class, int.class);
    private static final MethodHandle SHUTDOWN = find(Socket.class, "shutdown", int.class, int.class, boolean.class, boolean.class);
    private static final MethodHandle NEW_STREAM = find(Socket.class, "newSocketStreamFd", int.class, boolean.class);
    private static final MethodHandle CONNECT = find(Socket.class, "connect", int.class, int.class, boolean.class, byte[].class, int.class, int.class);
    private static final MethodHandle FINISH_CONNECT = find(Socket.class, "finishConnect", int.class, int.class);
    private static final MethodHandle LOCAL_ADDRESS = find(Socket.class, "localAddress", byte[].class, int.class);
    private static final MethodHandle GET_INT_OPT = find(Socket.class, "getIntOpt", int.class, int.class, int.class, int.class);
    private static final MethodHandle SET_INT_OPT = find(Socket.class, "setIntOpt", void.class, int.class, int.class, int.class, int.class);
    private static final MethodHandle SET_SO_LINGER = find(Socket.class, "setSoLinger", void.class, int.class, int.class);
    private static final MethodHandle SPLICE = find(Native.class, "splice0", int.class, int.class, long.class, int.class, long.class, long.class);

    private SocketCalls()
    {
    }

    /** True for the errno of a call that would have blocked. */
    static boolean wouldBlock(final int result)
    {
        return result == EAGAIN || result == EWOULDBLOCK;
    }

    /** recv(2) into native memory: bytes read, 0 at end of stream, or {@code -errno}. */
    static int recvAddress(final int fd, final long address, final int pos, final int limit)
    {
        try
        {
            return (int)RECV_ADDRESS.invokeExact(fd, address, pos, limit);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** recv(2) into a direct buffer's [pos, limit): bytes read, 0 at end of stream, or {@code -errno}. */
    static int recv(final int fd, final ByteBuffer into, final int pos, final int limit)
    {
        try
        {
            return (int)RECV.invokeExact(fd, into, pos, limit);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** send(2) from native memory: bytes taken, or {@code -errno}. */
    static int sendAddress(final int fd, final long address, final int pos, final int limit)
    {
        try
        {
            return (int)SEND_ADDRESS.invokeExact(fd, address, pos, limit);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** send(2) from a direct buffer's [pos, limit): bytes taken, or {@code -errno}. */
    static int send(final int fd, final ByteBuffer from, final int pos, final int limit)
    {
        try
        {
            return (int)SEND.invokeExact(fd, from, pos, limit);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** shutdown(2) of the write side (the FIN): 0, or {@code -errno} (ENOTCONN once the peer reset). */
    static int shutdownOutput(final int fd)
    {
        try
        {
            return (int)SHUTDOWN.invokeExact(fd, false, true);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** socket(2): a non-blocking TCP socket's fd, or {@code -errno}. */
    static int newStream(final boolean ipv6)
    {
        try
        {
            return (int)NEW_STREAM.invokeExact(ipv6);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /**
     * connect(2), non-blocking: 0 when connected at once, or {@code -errno} (EINPROGRESS while under way:
     * {@code Errors.handleConnectErrno} reads it).
     *
     * @param address the peer's address as {@code NativeInetAddress} encodes it (16 bytes for IPv6 or an
     *                IPv4-mapped one on an IPv6 socket, 4 for IPv4).
     */
    static int connect(final int fd, final boolean ipv6, final byte[] address, final int scopeId, final int port)
    {
        try
        {
            return (int)CONNECT.invokeExact(fd, ipv6, address, scopeId, port);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** SO_ERROR after a connect: 0 when connected, or {@code -errno} (EINPROGRESS while still under way). */
    static int finishConnect(final int fd)
    {
        try
        {
            return (int)FINISH_CONNECT.invokeExact(fd);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** getsockname(2) as {@code NativeInetAddress.address} decodes it, or {@code null} when it fails. */
    static byte[] localAddress(final int fd)
    {
        try
        {
            return (byte[])LOCAL_ADDRESS.invokeExact(fd);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** getsockopt(2) of an int. @throws IOException when it fails (the native throws). */
    static int getIntOpt(final int fd, final int level, final int option) throws IOException
    {
        try
        {
            return (int)GET_INT_OPT.invokeExact(fd, level, option);
        }
        catch (final IOException failed)
        {
            throw failed;
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** setsockopt(2) of an int. @throws IOException when it fails (the native throws). */
    static void setIntOpt(final int fd, final int level, final int option, final int value) throws IOException
    {
        try
        {
            SET_INT_OPT.invokeExact(fd, level, option, value);
        }
        catch (final IOException failed)
        {
            throw failed;
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** SO_LINGER {on, seconds}; a negative {@code seconds} turns it off. @throws IOException when it fails. */
    static void setSoLinger(final int fd, final int seconds) throws IOException
    {
        try
        {
            SET_SO_LINGER.invokeExact(fd, seconds);
        }
        catch (final IOException failed)
        {
            throw failed;
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    /** splice(2) of up to {@code length} bytes, no offsets: bytes moved, 0 at end of stream, or {@code -errno}. */
    static int splice(final int fdIn, final int fdOut, final long length)
    {
        try
        {
            return (int)SPLICE.invokeExact(fdIn, -1L, fdOut, -1L, length);
        }
        catch (final Throwable unexpected)
        {
            throw rethrown(unexpected);
        }
    }

    private static MethodHandle find(final Class<?> owner, final String name, final Class<?> returns, final Class<?>... parameters)
    {
        try
        {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
                .findStatic(owner, name, MethodType.methodType(returns, parameters));
        }
        catch (final ReflectiveOperationException | SecurityException | IllegalArgumentException missing)
        {
            throw new ExceptionInInitializerError(
                "Netty " + owner.getName() + "." + name + " (" + MethodType.methodType(returns, parameters)
                    + ") is not there to call: this build is for Netty 4.2.18's natives (" + missing + ")");
        }
    }

    private static RuntimeException rethrown(final Throwable unexpected)
    {
        if (unexpected instanceof RuntimeException)
        {
            return (RuntimeException)unexpected;
        }
        if (unexpected instanceof Error)
        {
            throw (Error)unexpected;
        }
        return new IllegalStateException("a native socket call threw " + unexpected, unexpected);
    }
}
