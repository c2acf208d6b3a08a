package io.gatehouse.router.relay;

import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.session.ClientEnd;
import io.gatehouse.router.session.ClientEvents;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.session.SocketEnd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * An accepted client socket with no Netty channel (epoll): the fd its listening socket accepted, one
 * registration on the loop's epoll from accept to close, which the raw relay adopts as it is. Against a
 * channel per client this saves, per connection, the channel, its pipeline, config and promises, a
 * getsockname (the listener's bound address is the local one unless it is a wildcard), the SO_SNDBUF
 * read, the TCP_NODELAY setsockopt (an accepted socket inherits it from its listening socket), the
 * deregistration and re-registration when the relay takes the fd over, and the channel's close task.
 *
 * <p>Lifecycle: the listener makes it on accept and {@link #start}s it with the connection's
 * {@link ClientEvents} (the sequencer), registered after the loop's I/O batch (see
 * {@code Transport.registersAfterIoBatch}). While peeking it reads edge-triggered ({@link #PEEK}): each
 * readiness is read until a short read (the receive queue is empty: the next bytes raise a new edge), or
 * to end of stream; one buffer per read, handed to the events, one {@link ClientEvents#onReadComplete()}
 * after each; no read when the events did not ask for one ({@link #readMore()}), so a client that goes on
 * sending while its backend connects wakes the loop once per segment and is not read (its bytes wait in
 * the kernel for the relay). A reset reported then (EPOLLERR, EPOLLHUP) closes it. {@link #startRelay}
 * gives it to the raw relay ({@link SpliceRelay}), which owns it from then on and closes it with the
 * backend. Its close is reported to the events (before the relay) and to {@link #onClosed}'s listener
 * once, whoever closes it.
 *
 * <p>Event loop thread only; not thread-safe. Allocates, per connection, this object and its handle, and
 * per read one pooled buffer.
 */
public final class RawClientSocket extends RawSocket implements ClientEnd
{
    /**
     * Peeking: the relay's own interest set ({@link SpliceSocketHandle#EDGES}), so the relay adopts the
     * registration with no epoll_ctl; the writable edge it also reports (once, as it is added) is not a read.
     */
    static final EpollIoOps PEEK = SpliceSocketHandle.EDGES;
    /** Bytes per peek read (Netty's adaptive allocator starts there too; a larger ClientHello takes two). */
    private static final int READ_BYTES = 2048;

    private final EventLoop loop;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final ByteBufAllocator alloc;
    /** Until the relay starts or the socket closes (then dropped: it holds the peek's objects). */
    private ClientEvents events;
    /** The relay has it: no more events for the stages. */
    private boolean relayed;
    /** The events asked for the next read and have not had it yet. */
    private boolean readWanted;

    /**
     * @param fd     an accepted, non-blocking TCP socket, owned from here (closed by this).
     * @param remote its peer, as accept(2) gave it.
     * @param local  its local address, or {@code null} to ask the socket (getsockname).
     */
    public RawClientSocket(
        final EventLoop loop, final int fd, final InetSocketAddress remote, final InetSocketAddress local, final ByteBufAllocator alloc)
    {
        super(new FileDescriptor(fd));
        this.loop = loop;
        this.remote = remote;
        this.local = local != null ? local : askLocalAddress();
        this.alloc = alloc;
    }

    /**
     * Before {@link #start}: gives the fd up (to a channel made for it) without closing it; this socket is
     * closed from then on and reports nothing.
     */
    public int detachFd()
    {
        giveUpFd();
        return handle.fdInt();
    }

    public EventLoop loop()
    {
        return loop;
    }

    public InetSocketAddress remoteAddress()
    {
        return remote;
    }

    /**
     * On its loop: registers the socket there and starts {@code told}'s stages ({@link ClientEvents#onStart()}),
     * which ask for the first read. A socket that cannot be registered is closed (told hears it).
     */
    public void start(final ClientEvents told)
    {
        if (!isOpen() || relayed)
        {
            return;
        }
        events = told;
        try
        {
            handle.register(loop);
        }
        catch (final IOException | RuntimeException refused)
        {
            closeSilently();
            return;
        }
        told.onStart();
    }

    @Override
    public ByteBufAllocator alloc()
    {
        return alloc;
    }

    @Override
    public void readMore()
    {
        if (isOpen() && !relayed)
        {
            readWanted = true;
            handle.interest(PEEK); // the first time, epoll_ctl(ADD); an edge for bytes already queued comes at once
        }
    }

    @Override
    public InetSocketAddress localAddress()
    {
        return isOpen() ? local : null;
    }

    /**
     * One send(2) of {@code reply}, then the close. A fresh socket's send buffer (16 KiB or more) is empty
     * and takes a reject reply (a TLS alert, an HTTP status line) whole; a reset client takes none.
     */
    @Override
    public void replyAndClose(final ByteBuf reply)
    {
        try
        {
            if (isOpen() && !relayed)
            {
                final int length = reply.readableBytes();
                // A reset client takes none (SpliceSocketHandle.FAILED): it is gone, nothing is left to tell it.
                if (reply.hasMemoryAddress())
                {
                    handle.send(null, reply.memoryAddress(), reply.readerIndex(), length);
                }
                else
                {
                    handle.send(reply.nioBuffer(), 0, 0, length);
                }
            }
        }
        finally
        {
            reply.release();
        }
        close();
    }

    @Override
    public void startRelay(
        final Session session,
        final ListenerState listener,
        final Channel backend,
        final SocketEnd rawBackend,
        final ByteBuf proxyHeader,
        final ByteBuf peeked,
        final boolean screened,
        final boolean clientInputDone)
    {
        if (!screened && !clientInputDone)
        {
            // Only a channel can screen in front of a relay; the listener gives a channel to every client of a
            // listener with a server-first route, the one way to be routed unscreened.
            throw new IllegalStateException("a raw client socket was routed before its bytes were screened");
        }
        relayed = true;
        events = null;
        readWanted = false;
        RelayStarter.startRaw(session, listener, this, backend, (RawBackendSocket)rawBackend, proxyHeader, peeked);
    }

    /** TCP_NODELAY as the kernel has it (one getsockopt: for checks, never on the data path); false once closed. */
    public boolean tcpNoDelay()
    {
        try
        {
            return isOpen() && SocketCalls.getIntOpt(handle.fdInt(), SocketCalls.IPPROTO_TCP, SocketCalls.TCP_NODELAY) != 0;
        }
        catch (final IOException closed)
        {
            return false;
        }
    }

    @Override
    boolean isReadyForRelay()
    {
        return isOpen();
    }

    @Override
    void onEvent(final int readyOps)
    {
        if (!isOpen() || relayed)
        {
            return;
        }
        if (!readWanted)
        {
            if ((readyOps & (Native.EPOLLERR | SpliceSocketHandle.EPOLLHUP)) != 0)
            {
                closeSilently(); // reset while its backend connects
            }
            return;
        }
        if ((readyOps & SpliceSocketHandle.READABLE_OPS) == 0)
        {
            return; // writable only: nothing to read
        }
        while (readWanted && isOpen())
        {
            readWanted = false;
            final ByteBuf in = alloc.directBuffer(READ_BYTES);
            final int capacity = in.capacity();
            final int read;
            if (in.hasMemoryAddress())
            {
                read = handle.recv(null, in.memoryAddress(), 0, capacity);
            }
            else
            {
                final ByteBuffer view = in.internalNioBuffer(0, capacity); // its position is the buffer's index 0
                read = handle.recv(view, 0, view.position(), view.position() + capacity);
            }
            if (read == SpliceSocketHandle.FAILED)
            {
                in.release(); // reset before its first bytes were read whole
                events.onError();
                return;
            }
            if (read == 0)
            {
                in.release();
                readWanted = true; // drained: the next edge reads on
                return;
            }
            if (read < 0)
            {
                in.release();
                events.onInputShutdown();
                return;
            }
            in.writerIndex(read);
            events.onRead(in);
            if (!isOpen() || relayed)
            {
                return;
            }
            events.onReadComplete();
            if (!handle.readable)
            {
                return; // a short read before any FIN: the queue is empty, the next bytes raise a new edge
            }
        }
    }

    @Override
    void onLoopClosing()
    {
        closeSilently();
    }

    /** The socket closed: the stages hear it (unless the relay has it). */
    @Override
    void onClose()
    {
        readWanted = false;
        final ClientEvents told = events;
        events = null;
        if (told != null)
        {
            told.onClosed();
        }
    }
}
