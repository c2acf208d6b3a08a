package io.gatehouse.router.relay;

import io.gatehouse.router.session.SocketEnd;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * A backend socket of the raw relay's own, with no Netty channel: socket(2), TCP_NODELAY, a non-blocking
 * connect(2) and one registration on the loop's epoll, which the relay then adopts as it is (its handle,
 * its registration). Against a Netty channel per backend this saves, per connection, the channel, its
 * pipeline, config and promises, and six of the system calls they make: a getsockname, the SO_SNDBUF
 * read, getpeername, and three of the five epoll_ctl calls (the channel's ADD and two MODs, its DEL when the
 * relay took the fd over, and the relay's own ADD become one ADD for EPOLLOUT and one MOD to reading).
 *
 * <p>Lifecycle: {@link #connect} starts it; the {@link Listener} hears once, on the loop, that it
 * connected or that it failed (then it is closed already). A connected socket goes to the raw relay
 * ({@code SpliceRelay.open} with it as the backend), which owns it from then on and closes it
 * with the client; until then {@link #close()} closes it (an aborted attempt). Its close is reported to
 * {@link #onClosed}'s listener once, whoever closes it. The connect timeout is the caller's (the
 * connector checks it on the worker's tick, as every other timeout of a connection is).
 *
 * <p>Event loop thread only; not thread-safe.
 */
public final class RawBackendSocket extends RawSocket
{
    /** What a connect comes to, on the socket's loop. */
    public interface Listener
    {
        void onConnected(RawBackendSocket socket);

        /** The connect failed (refused, unreachable, reset); the socket is closed already. */
        void onConnectFailed(RawBackendSocket socket, IOException cause);
    }

    /** Until the connect's outcome is told (then dropped: it holds the client's connect-time objects). */
    private Listener listener;
    private boolean connected;

    private RawBackendSocket(final FileDescriptor fd, final Listener listener)
    {
        super(fd);
        this.listener = listener;
    }

    /**
     * Makes the socket, starts connecting it to {@code target} and registers it on {@code loop} (which must
     * be the calling thread's epoll loop) for EPOLLOUT.
     *
     * @throws IOException on a failure of this host (no descriptor, no buffer: EMFILE, ENFILE, ENOBUFS; no
     *                     local address: EADDRNOTAVAIL) or a connect(2) refused at once, with Netty's
     *                     message for the errno; the socket is closed.
     */
    public static RawBackendSocket connect(final EventLoop loop, final InetSocketAddress target, final Listener listener)
        throws IOException
    {
        final boolean ipv6 = target.getAddress() instanceof Inet6Address;
        final int fd = SocketCalls.newStream(ipv6);
        if (fd < 0)
        {
            throw Errors.newIOException("socket", fd);
        }
        // A plain descriptor: a Netty Socket's constructor would ask getsockname(2) whether it is IPv6.
        final RawBackendSocket raw = new RawBackendSocket(new FileDescriptor(fd), listener);
        try
        {
            SocketCalls.setIntOpt(fd, SocketCalls.IPPROTO_TCP, SocketCalls.TCP_NODELAY, 1);
            final NativeInetAddress address = NativeInetAddress.newInstance(target.getAddress());
            final int connected = SocketCalls.connect(fd, ipv6, address.address(), address.scopeId(), target.getPort());
            if (connected < 0)
            {
                Errors.handleConnectErrno("connect", connected); // returns while under way, throws when refused
            }
            // connected at once or under way: EPOLLOUT is reported either way
            raw.handle.register(loop);
            raw.handle.interest(SpliceSocketHandle.EDGES); // the relay keeps it: no epoll_ctl after this ADD
        }
        catch (final IOException | RuntimeException failed)
        {
            raw.closeSilently();
            throw failed;
        }
        return raw;
    }

    /** The socket's local address (getsockname), or {@code null} once closed. */
    @Override
    public InetSocketAddress localAddress()
    {
        return askLocalAddress();
    }

    @Override
    boolean isReadyForRelay()
    {
        return connected && isOpen();
    }

    /** An epoll event while connecting (the relay's handle routes them here until it adopts the socket). */
    @Override
    void onEvent(final int readyOps)
    {
        if (connected || !isOpen())
        {
            return;
        }
        if ((readyOps & (Native.EPOLLOUT | Native.EPOLLERR | SpliceSocketHandle.EPOLLHUP)) == 0)
        {
            return; // not ours to answer: a connect reports EPOLLOUT, or an error
        }
        try
        {
            // A socket in SYN_SENT reports neither EPOLLOUT nor an error (tcp_poll), and the connector makes its
            // sockets from a task after the epoll batch, so no event of an earlier fd of the same number can
            // reach this one: the event says the handshake ended, and SO_ERROR says how.
            final int outcome = SocketCalls.finishConnect(handle.fdInt());
            if (outcome < 0 && !Errors.handleConnectErrno("finishConnect", outcome))
            {
                return; // still under way (EINPROGRESS, EALREADY)
            }
        }
        catch (final IOException refused)
        {
            closeSilently();
            takeListener().onConnectFailed(this, refused);
            return;
        }
        connected = true;
        // The relay adopts the socket within onConnected with its registration and interest as they are; the
        // handle has noted it writable (and readable, should the backend speak first).
        takeListener().onConnected(this);
    }

    /** The listener, once: the socket keeps no reference to it (or to what it holds) past the outcome. */
    private Listener takeListener()
    {
        final Listener told = listener;
        listener = null;
        return told;
    }

    /** The loop is shutting down while this socket is not yet the relay's. */
    @Override
    void onLoopClosing()
    {
        if (!connected && isOpen())
        {
            closeSilently();
            takeListener().onConnectFailed(this, new IOException("event loop shut down"));
        }
        else
        {
            closeSilently();
        }
    }

    @Override
    void onClose()
    {
        // nothing of its own: a connect still running is told by whoever closed it
    }
}
