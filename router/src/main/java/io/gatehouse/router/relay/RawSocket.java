package io.gatehouse.router.relay;

import io.gatehouse.router.session.SocketEnd;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;

import java.net.InetSocketAddress;

/**
 * A socket of the raw relay's own, with no Netty channel (the client's {@link RawClientSocket}, the
 * backend's {@link RawBackendSocket}): its handle, whose events it hears until a relay adopts it, and the one
 * close rule for both: closed once, whoever closes it (fd first, then the registration: no EPOLL_CTL_DEL),
 * its own state ended ({@link #onClose()}), then its {@link SocketEnd.Closed} listener told once. Before a
 * relay adopted it, {@link #close()} closes it alone; after, the relay's end (both sockets close).
 *
 * <p>Event loop thread only; not thread-safe.
 */
abstract class RawSocket implements SocketEnd
{
    final SpliceSocketHandle handle;
    private boolean closed;
    private Closed closedListener;

    RawSocket(final FileDescriptor fd)
    {
        this.handle = new SpliceSocketHandle(fd, this);
    }

    /** True until closed. */
    public final boolean isOpen()
    {
        return !closed;
    }

    @Override
    public final void onClosed(final Closed listener)
    {
        if (closed)
        {
            listener.onSocketClosed(this);
            return;
        }
        closedListener = listener;
    }

    /** Closes it now: alone while no relay has it, else the relay's end (both sockets close). */
    @Override
    public final void close()
    {
        if (closed)
        {
            return;
        }
        final SpliceConnection relay = handle.connection();
        if (relay != null)
        {
            relay.closeNow();
        }
        closeSilently();
    }

    final SpliceSocketHandle handle()
    {
        return handle;
    }

    /** The local address (getsockname), or {@code null} once closed or when the kernel does not say. */
    final InetSocketAddress askLocalAddress()
    {
        if (closed)
        {
            return null;
        }
        final byte[] address = SocketCalls.localAddress(handle.fdInt());
        return address == null ? null : NativeInetAddress.address(address, 0, address.length);
    }

    /** The relay closed the fd (fd first, then the registration: {@link SpliceSocketHandle#closeFd()}). */
    final void onRelayClosed()
    {
        closeSilently();
    }

    /** The fd goes elsewhere (not closed here): from now on this socket is closed and tells no one. */
    final void giveUpFd()
    {
        closed = true;
        closedListener = null;
    }

    /** Closes the fd and the registration, once; then {@link #onClose()}, then the close listener. */
    final void closeSilently()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        handle.closeFd();
        handle.deregister();
        onClose();
        final Closed listener = closedListener;
        closedListener = null;
        if (listener != null)
        {
            listener.onSocketClosed(this);
        }
    }

    /** What else ends with the socket, before its close listener hears it. */
    abstract void onClose();

    /** An epoll event (the ready ops) before a relay adopted it. */
    abstract void onEvent(int readyOps);

    /** The loop is shutting down (and closes every registration) before a relay adopted it. */
    abstract void onLoopClosing();

    /** A relay may start on it now. */
    abstract boolean isReadyForRelay();
}
