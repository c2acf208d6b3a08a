package io.gatehouse.router.listen;

import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.relay.RawClientSocket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An epoll listening socket with no Netty channel, one per event loop (SO_REUSEPORT), whose accepted
 * connections are {@link RawClientSocket}s on that loop: the listener's epoll path. It sets what a channel's
 * bootstrap would (SO_REUSEADDR, SO_REUSEPORT, the backlog, TCP_DEFER_ACCEPT when asked) and TCP_NODELAY,
 * which every accepted socket inherits (no setsockopt per connection). Level-triggered EPOLLIN; each
 * readiness accepts up to {@link #ACCEPTS_PER_WAKE} connections (Netty's own bound), the rest at the next
 * wait. A failed accept pauses the accepts by the listener's {@link AcceptPause} rule (interest off for the
 * pause). Connections accepted during an I/O batch are handed to the listener's acceptor (and so
 * registered) from one task run after it ({@code Transport.registersAfterIoBatch}).
 *
 * <p>Bound and closed from the control thread (each runs on the loop and is waited for); everything else on
 * the loop. Allocates per accepted connection only the {@link RawClientSocket} (and its addresses).
 */
public final class RawListenSocket implements EpollIoHandle
{
    /** Accepts per readiness: as many as Netty's server channels take per read. */
    static final int ACCEPTS_PER_WAKE = 16;

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_DEFER_ACCEPT = 9;
    private static final EpollIoOps ACCEPTING = EpollIoOps.EPOLLIN;
    /**
     * Paused: interested in nothing, yet still registered: edge-triggered so that EPOLLERR/EPOLLHUP (always
     * reported) come once rather than on every wait. Never NONE: Netty removes the fd from epoll on NONE but
     * keeps its registration as added, so a later interest would fail with ENOENT.
     */
    private static final EpollIoOps PAUSED = EpollIoOps.EPOLLET;

    private final EventLoop loop;
    private final LinuxSocket socket;
    private final Consumer<RawClientSocket> acceptor;
    private final AcceptPause pause;
    private final byte[] acceptedAddress = new byte[26];
    private final ArrayDeque<RawClientSocket> accepted = new ArrayDeque<>();
    private final Runnable registerAccepted = this::onRegisterAccepted;
    private final Runnable resume = this::resume;
    private IoRegistration registration;
    private InetSocketAddress bound;
    /** The bound address when it names one host address (every accepted socket's local address), else null. */
    private InetSocketAddress specificLocal;
    private boolean closed;

    private RawListenSocket(final Worker worker, final String listenerName, final Consumer<RawClientSocket> acceptor, final LinuxSocket socket)
    {
        this.loop = worker.loop();
        this.socket = socket;
        this.acceptor = acceptor;
        this.pause = new AcceptPause(worker, listenerName);
    }

    /**
     * Control thread: a listening socket on {@code worker}'s loop, bound to {@code target} and accepting.
     *
     * @param deferAcceptSeconds TCP_DEFER_ACCEPT, or 0 for none.
     * @throws IOException when it cannot be made, bound or registered (the socket is closed).
     */
    public static RawListenSocket bind(
        final Worker worker,
        final String listenerName,
        final Consumer<RawClientSocket> acceptor,
        final InetSocketAddress target,
        final int backlog,
        final int deferAcceptSeconds) throws IOException, InterruptedException
    {
        try
        {
            return worker.loop().submit(() -> bindOnLoop(worker, listenerName, acceptor, target, backlog, deferAcceptSeconds)).get();
        }
        catch (final ExecutionException failed)
        {
            final Throwable cause = failed.getCause();
            if (cause instanceof IOException)
            {
                throw (IOException)cause;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
    }

    private static RawListenSocket bindOnLoop(
        final Worker worker,
        final String listenerName,
        final Consumer<RawClientSocket> acceptor,
        final InetSocketAddress target,
        final int backlog,
        final int deferAcceptSeconds) throws IOException
    {
        final LinuxSocket socket = LinuxSocket.newSocketStream(target.getAddress() instanceof Inet6Address);
        final RawListenSocket listening = new RawListenSocket(worker, listenerName, acceptor, socket);
        try
        {
            socket.setReuseAddress(true);
            socket.setReusePort(true);
            socket.setTcpNoDelay(true);
            if (deferAcceptSeconds > 0)
            {
                socket.setIntOpt(IPPROTO_TCP, TCP_DEFER_ACCEPT, deferAcceptSeconds);
            }
            socket.bind(target);
            socket.listen(backlog);
            listening.bound = socket.localAddress();
            listening.specificLocal = listening.bound.getAddress().isAnyLocalAddress() ? null : listening.bound;
            listening.registration = ((IoEventLoop)listening.loop).register(listening).get();
            listening.registration.submit(ACCEPTING);
        }
        catch (final IOException | RuntimeException failed)
        {
            listening.closeNow();
            throw failed;
        }
        catch (final InterruptedException | ExecutionException failed)
        {
            listening.closeNow();
            throw new IOException("register failed: " + failed, failed);
        }
        return listening;
    }

    /** The address bound (the real port when the listener asked for 0). */
    public InetSocketAddress localAddress()
    {
        return bound;
    }

    /** The loop is shutting down and closes every registration. */
    @Override
    public void close()
    {
        closeNow();
    }

    /** Control thread: stops accepting and closes the socket (connections accepted but not yet set up close too). */
    public void closeFromControl()
    {
        try
        {
            loop.submit(this::closeNow).syncUninterruptibly();
        }
        catch (final RejectedExecutionException loopGone)
        {
            closeNow(); // the loop has shut down: its registrations are gone with it
        }
    }

    @Override
    public FileDescriptor fd()
    {
        return socket;
    }

    @Override
    public void handle(final IoRegistration ready, final IoEvent event)
    {
        if (closed || pause.isPaused())
        {
            return;
        }
        for (int i = 0; i < ACCEPTS_PER_WAKE; i++)
        {
            final int fd;
            try
            {
                fd = socket.accept(acceptedAddress);
            }
            catch (final IOException failed)
            {
                onAcceptFailed(failed);
                return;
            }
            if (fd < 0)
            {
                return; // EAGAIN: the queue is empty
            }
            pause.onAccepted();
            final RawClientSocket client;
            try
            {
                client = new RawClientSocket(loop, fd,
                    NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]), specificLocal, ByteBufAllocator.DEFAULT);
            }
            catch (final RuntimeException unreadable)
            {
                closeQuietly(new FileDescriptor(fd));
                continue;
            }
            if (accepted.isEmpty())
            {
                loop.execute(registerAccepted);
            }
            accepted.add(client);
        }
    }

    private void onAcceptFailed(final IOException failed)
    {
        final long pauseMs = pause.onFailed(failed);
        if (pauseMs > 0)
        {
            registration.submit(PAUSED);
            loop.schedule(resume, pauseMs, TimeUnit.MILLISECONDS);
        }
    }

    private void resume()
    {
        pause.onResumed();
        if (!closed)
        {
            registration.submit(ACCEPTING);
        }
    }

    /** After the loop's I/O batch: hands the connections accepted in it on to be set up and registered. */
    private void onRegisterAccepted()
    {
        for (RawClientSocket client = accepted.poll(); client != null; client = accepted.poll())
        {
            if (closed)
            {
                client.close();
            }
            else
            {
                acceptor.accept(client);
            }
        }
    }

    private void closeNow()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closeQuietly(socket);
        if (registration != null)
        {
            registration.cancel();
        }
    }

    private static void closeQuietly(final FileDescriptor fd)
    {
        try
        {
            fd.close();
        }
        catch (final IOException ignore)
        {
            // released either way
        }
    }
}
