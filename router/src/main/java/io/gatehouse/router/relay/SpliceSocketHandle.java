package io.gatehouse.router.relay;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One socket of a connection relayed on raw fds, registered with the event loop's epoll in place of its
 * Netty channel (which is deregistered for the relay's lifetime but still owns, and finally closes, the
 * fd); or a socket that never had a channel (a {@link RawClientSocket} while it is peeked at, a
 * {@link RawBackendSocket} while it connects): its events go to that {@link RawSocket} until the relay
 * adopts it, registration and all. Either way the handle answers for its kind of end: whether it is ready
 * for the relay ({@link #isReadyForRelay}) and how its owner closes ({@link #closeOwner}), so the relay
 * has one set of steps for both.
 *
 * <p>Event loop thread only; not thread-safe; allocates nothing after construction. The interest is
 * {@link #EDGES}, set once.
 */
final class SpliceSocketHandle implements EpollIoHandle, FutureListener<IoRegistration>
{
    /** Linux EPOLLHUP (not exported by Netty's {@code Native}); reported whatever the interest set. */
    static final int EPOLLHUP = 0x10;

    /**
     * The one interest set of every socket the raw relay drives, from its registration to its close:
     * readable, writable, the peer's FIN, edge-triggered. Epoll reports each change of readiness once and
     * the handle remembers it ({@link #readable}, {@link #writable}) until a call says EAGAIN, so no
     * epoll_ctl(MOD) is ever needed: not when the relay adopts the socket, not for backpressure, not when
     * one way ends (a level-triggered socket at end of stream would be reported on every wait). Two
     * epoll_ctl per connection in all, the two ADDs (nginx stream's count).
     */
    static final EpollIoOps EDGES = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT).with(EpollIoOps.EPOLLRDHUP)
        .with(EpollIoOps.EPOLLET);
    /** The events that make a socket readable (bytes, the FIN, an error to read). */
    static final int READABLE_OPS = Native.EPOLLIN | Native.EPOLLRDHUP | EPOLLHUP | Native.EPOLLERR;
    private static final int HUNG_UP_OPS = Native.EPOLLRDHUP | EPOLLHUP | Native.EPOLLERR;
    private static final int RESET_OPS = EPOLLHUP | Native.EPOLLERR;
    private static final int WRITABLE_OPS = Native.EPOLLOUT | EPOLLHUP | Native.EPOLLERR;

    /**
     * Epoll reported the socket readable (bytes, the FIN, or an error to read) and no read since said
     * EAGAIN or came back short: a read now finds something. Set by every event, whoever hears it.
     */
    boolean readable;
    /** Epoll reported the socket writable and no write since came back short. */
    boolean writable;
    /**
     * Epoll reported the peer's FIN or an error: every byte it will send is queued, so a short read does not
     * empty the socket (its end of stream is still to be read, and no edge will come for it again).
     */
    boolean hungUp;
    /** Epoll reported EPOLLHUP or EPOLLERR: a reset, or both ways shut. */
    private boolean heardHangUp;
    /**
     * Epoll reported the peer's FIN (EPOLLRDHUP) alone before any EPOLLHUP or EPOLLERR: it is queued ahead of any
     * reset. While {@link #heardHangUp} is false too, the FIN is all epoll said ({@link #heardFinAlone}).
     */
    private boolean heardFinFirst;
    /**
     * A write said ECONNRESET, which takes the socket's error: a read after it finds only end of stream, and that
     * end is the reset's unless the FIN was heard first.
     */
    private boolean resetTakenByWrite;

    private SpliceConnection connection;
    private final RawSocket owner;
    private final Channel channel;
    private final FileDescriptor fd;
    private IoRegistration registration;
    private EpollIoOps interest;

    SpliceSocketHandle(final SpliceConnection connection, final Channel channel)
    {
        this.connection = connection;
        this.owner = null;
        this.channel = channel;
        this.fd = ((UnixChannel)channel).fd();
    }

    /**
     * A channel-less socket's handle; {@link #adopt} gives it to its relay. A plain descriptor, no Netty
     * {@code Socket}: its calls go through {@link SocketCalls} either way, and a {@code Socket}'s
     * constructor would ask getsockname(2) whether it is IPv6.
     */
    SpliceSocketHandle(final FileDescriptor fd, final RawSocket owner)
    {
        this.connection = null;
        this.owner = owner;
        this.channel = null;
        this.fd = fd;
    }

    /** The relay takes this (already registered) socket's events from now on. */
    void adopt(final SpliceConnection owner)
    {
        connection = owner;
    }

    /** The relay these events go to, or {@code null} before a relay adopted a channel-less socket. */
    SpliceConnection connection()
    {
        return connection;
    }

    /**
     * A channel-less socket's registration on {@code loop}, made now (the calling thread must be that
     * epoll loop). Netty adds the fd to epoll with the first interest set ({@link #interest}): one
     * epoll_ctl(ADD) in all.
     *
     * @throws IOException when the loop refuses it.
     */
    void register(final EventLoop loop) throws IOException
    {
        final Future<IoRegistration> registered = ((IoEventLoop)loop).register(this);
        if (!registered.isDone())
        {
            throw new IllegalStateException("a channel-less socket must be registered on its own loop");
        }
        if (!registered.isSuccess())
        {
            final Throwable cause = registered.cause();
            throw cause instanceof IOException ? (IOException)cause : new IOException("register failed: " + cause, cause);
        }
        registration = registered.getNow();
    }

    /** The channel whose fd this is, or {@code null} for a channel-less socket's. */
    Channel channel()
    {
        return channel;
    }

    /** The relay may start on it: its channel is active, or its channel-less socket is (open, connected). */
    boolean isReadyForRelay()
    {
        return channel != null ? channel.isActive() : owner.isReadyForRelay();
    }

    /**
     * After the relay closed the fd and dropped the registration: the channel closes (finding its fd closed),
     * or the channel-less socket is told it is closed.
     */
    void closeOwner()
    {
        if (channel != null)
        {
            channel.close();
        }
        else
        {
            owner.onRelayClosed();
        }
    }

    int fdInt()
    {
        return fd.intValue();
    }

    boolean isOpen()
    {
        return fd.isOpen();
    }

    boolean isRegistered()
    {
        return registration != null;
    }

    @Override
    public FileDescriptor fd()
    {
        return fd;
    }

    @Override
    public void handle(final IoRegistration registration, final IoEvent event)
    {
        final int ops = ((EpollIoEvent)event).ops().value();
        if ((ops & READABLE_OPS) != 0)
        {
            readable = true;
            if ((ops & HUNG_UP_OPS) != 0)
            {
                hungUp = true;
                if ((ops & RESET_OPS) != 0)
                {
                    heardHangUp = true;
                }
                else if (!heardHangUp)
                {
                    heardFinFirst = true;
                }
            }
        }
        if ((ops & WRITABLE_OPS) != 0)
        {
            writable = true;
        }
        if (connection != null)
        {
            connection.onReady(this, ops);
        }
        else
        {
            owner.onEvent(ops);
        }
    }

    /** The event loop is shutting down and closes every registration. */
    @Override
    public void close()
    {
        if (connection != null)
        {
            connection.onLoopClosing();
        }
        else
        {
            owner.onLoopClosing();
        }
    }

    @Override
    public void operationComplete(final Future<IoRegistration> future)
    {
        if (future.isSuccess())
        {
            registration = future.getNow();
            connection.onRegistered(this);
        }
        else
        {
            connection.onStartFailed();
        }
    }

    void interest(final EpollIoOps ops)
    {
        if (ops != interest)
        {
            interest = ops;
            registration.submit(ops);
        }
    }

    /**
     * What a read or a write answers when the call failed: the peer reset the socket (ECONNRESET, EPIPE, a
     * refused FIN's ENOTCONN) or it failed otherwise. An answer, not an exception: a reset is as common an
     * end as a FIN (under wrk 'Connection: close' most connections see one), and the relay treats every
     * failure of a socket the same way.
     */
    static final int FAILED = Integer.MIN_VALUE;

    /** @return bytes read into {@code into} from 0, -1 at end of stream, 0 when none are queued, or {@link #FAILED}. */
    int recv(final ByteBuffer into)
    {
        return recv(into, 0);
    }

    /**
     * @param address {@code from}'s native address, or 0 to have JNI look it up.
     * @return bytes of {@code from}'s [offset, offset + length) the socket took, 0 when it takes none now,
     *         {@link #FAILED} when the peer reset (EPIPE, ECONNRESET) or the socket failed otherwise.
     */
    int send(final ByteBuffer from, final long address, final int offset, final int length)
    {
        return wrote(address != 0
            ? SocketCalls.sendAddress(fd.intValue(), address, offset, offset + length)
            : SocketCalls.send(fd.intValue(), from, offset, offset + length), length);
    }

    /**
     * A write's result: the bytes taken, 0 for EAGAIN, {@link #FAILED} for any other errno; short of {@code asked},
     * the socket is not writable until its next edge.
     */
    private int wrote(final int result, final long asked)
    {
        if (result >= asked)
        {
            return result;
        }
        if (result >= 0)
        {
            writable = false; // a short write: the next room comes as an edge
            return result;
        }
        if (SocketCalls.wouldBlock(result))
        {
            writable = false;
            return 0;
        }
        if (result == Errors.ERRNO_ECONNRESET_NEGATIVE)
        {
            resetTakenByWrite = true;
        }
        return FAILED;
    }

    /**
     * @param address {@code into}'s native address, or 0 to have JNI look it up.
     * @return bytes read into {@code into} from 0, -1 at end of stream, 0 when none are queued, or {@link #FAILED}.
     */
    int recv(final ByteBuffer into, final long address)
    {
        return recv(into, address, 0, into.capacity());
    }

    /**
     * @param address {@code into}'s native address, or 0 to have JNI look it up.
     * @return bytes read into {@code into}'s [pos, limit), -1 at end of stream, 0 when none are queued,
     *         {@link #FAILED} when the peer reset (ECONNRESET) or the socket failed otherwise.
     */
    int recv(final ByteBuffer into, final long address, final int pos, final int limit)
    {
        final int received = address != 0
            ? SocketCalls.recvAddress(fd.intValue(), address, pos, limit)
            : SocketCalls.recv(fd.intValue(), into, pos, limit);
        if (received > 0)
        {
            if (received < limit - pos && !hungUp)
            {
                readable = false; // a short read emptied the queue: the next bytes or the FIN raise an edge
            }
            return received;
        }
        if (received == 0)
        {
            return resetTakenByWrite && !heardFinFirst ? FAILED : -1;
        }
        if (SocketCalls.wouldBlock(received))
        {
            readable = false;
            return 0;
        }
        return FAILED;
    }

    /**
     * splice(2) from this socket into a pipe's write end.
     *
     * @return bytes moved, 0 when none are queued or at end of stream (splice cannot tell them apart),
     *         {@link #FAILED} when the peer reset or the socket failed otherwise.
     */
    int spliceInto(final int pipeWriteFd, final long most)
    {
        final int moved = SocketCalls.splice(fd.intValue(), pipeWriteFd, most);
        if (moved >= 0)
        {
            return moved;
        }
        if (SocketCalls.wouldBlock(moved))
        {
            readable = false;
            return 0;
        }
        return FAILED;
    }

    /**
     * splice(2) from a pipe's read end into this socket.
     *
     * @return bytes the socket took, 0 when it takes none now, {@link #FAILED} when the peer reset (EPIPE,
     *         ECONNRESET) or the socket failed otherwise.
     */
    int spliceFrom(final int pipeReadFd, final long most)
    {
        return wrote(SocketCalls.splice(pipeReadFd, fd.intValue(), most), most);
    }

    /**
     * Epoll said the peer sent its FIN (EPOLLRDHUP) and has said nothing of a reset or an error (EPOLLHUP,
     * EPOLLERR) to this socket yet: an end of stream read from it is that FIN, and {@link #tcpState} need not
     * be asked. False when the end of stream was read before any such event (a full buffer read on to it):
     * then only TCP_INFO tells a FIN from a reset.
     */
    boolean heardFinAlone()
    {
        return heardFinFirst && !heardHangUp;
    }

    /** The socket's {@code tcpi_state} ({@link TcpState#TCP_CLOSE} once the peer reset it), -1 when closed. */
    int tcpState()
    {
        return fd.isOpen() ? TcpState.state(fd.intValue()) : -1;
    }

    /**
     * The FIN: shutdown(2) of the write side.
     *
     * @return false when the socket refused it: the peer reset it (ENOTCONN) and its event is not handled yet.
     */
    boolean shutdownOutput()
    {
        return SocketCalls.shutdownOutput(fd.intValue()) >= 0;
    }

    /** Arms an RST for the coming close (SO_LINGER 0), so the peer learns the stream was cut. */
    void resetOnClose()
    {
        try
        {
            SocketCalls.setSoLinger(fd.intValue(), 0);
        }
        catch (final IOException ignore)
        {
            // Already closed or reset: a plain close is all that is left to do.
        }
    }

    /**
     * Closes the fd now (the kernel drops it from epoll with the close: no EPOLL_CTL_DEL), ahead of its
     * channel's close, which then finds it closed (and so asks no SO_LINGER of it).
     */
    void closeFd()
    {
        try
        {
            fd.close();
        }
        catch (final IOException alreadyGone)
        {
            // Closed either way: close(2) releases the descriptor even when it reports an error.
        }
    }

    /**
     * Drops the registration (synchronously: we are on the loop); epoll_ctl(EPOLL_CTL_DEL) only while
     * the fd is still open.
     */
    void deregister()
    {
        final IoRegistration held = registration;
        if (held != null)
        {
            registration = null;
            held.cancel();
        }
    }
}
