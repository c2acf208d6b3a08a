package io.gatehouse.router.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.ByteBuffer;

/**
 * The {@code relay: splice} mode: moves a connection's bytes both ways kernel to kernel with splice(2)
 * through pipes, never through the JVM heap or a Netty buffer.
 *
 * <p>Not Netty's {@code spliceTo} (deprecated, loses bytes still queued when a side half-closes or
 * closes, holds 4 fds per connection): both sockets are deregistered from Netty and driven by this
 * package's own splice loop on the same epoll event loop, with pipes pooled per loop and held only
 * while bytes are in flight. See {@link SpliceDirection} for why nothing is lost.
 *
 * <p>{@link #start} must be called on the event loop both channels are registered with.
 */
public final class SpliceRelay
{
    private static final boolean AVAILABLE = probe();

    private SpliceRelay()
    {
    }

    /**
     * Takes over both channels and relays until both directions have ended, either side resets, or
     * nothing moved for {@code idleTimeoutNs}; then closes both and calls
     * {@link RelayObserver#onBytes} and {@link RelayObserver#onClosed} once each.
     *
     * <p>Both must be connected epoll socket channels on the SAME event loop, and this must be called
     * on that loop. Bytes the caller already wrote (the peeked first flight) go out first: the relay
     * waits for Netty's queue to drain before it splices. Auto-read is turned off; from here on the
     * channels' pipelines see no reads (they see channelUnregistered, and the channels' close futures
     * complete when the relay ends). A FIN from one side becomes a shutdown of the other side's output
     * only after every byte read from it was written; an RST (or a socket error) closes both with an
     * RST, unless the other side had already sent its FIN: then what the reset side sent is delivered
     * and both close plainly; a side that cannot take more stops the other side's reads (at most one pipe, 64 KiB by
     * default, in flight per direction).
     *
     * @param client        the accepted client channel.
     * @param backend       the connected backend channel.
     * @param idleTimeoutNs close both after this long without a byte moved; 0 or less: never.
     * @param observer      told the totals and why it closed.
     * @throws IllegalArgumentException if the channels are not epoll channels on one loop.
     * @throws IllegalStateException    if not called on that loop or splice is not available.
     */
    public static void start(
        final Channel client,
        final Channel backend,
        final long idleTimeoutNs,
        final RelayObserver observer)
    {
        open(client, backend, idleTimeoutNs, 0, SystemNanoClock.INSTANCE, observer, false);
    }

    /**
     * @return true when the epoll native transport is loaded and splice(2) through a pipe works here.
     */
    public static boolean isAvailable()
    {
        return AVAILABLE;
    }

    /**
     * @param halfClosedTimeoutNs once one direction has ended (or a side reset the relay's writes), close
     *                            both after this long without a byte moved; 0 or less: only the idle timeout.
     * @param copy move the bytes with recv(2) and send(2) through the loop's pooled buffers instead of
     *             splice(2) through pipes (the epoll transport's {@code relay: copy}); everything else,
     *             the take-over, the end rules, the timers and the close, is the same.
     */
    static SpliceConnection open(
        final Channel client,
        final Channel backend,
        final long idleTimeoutNs,
        final long halfClosedTimeoutNs,
        final NanoClock clock,
        final RelayObserver observer,
        final boolean copy)
    {
        return open(client, null, backend, null, null, idleTimeoutNs, halfClosedTimeoutNs, clock, observer, copy);
    }

    /**
     * As {@link #open(Channel, Channel, long, long, NanoClock, RelayObserver, boolean)}, with either kind of
     * end on each side, and {@code first} sent to the backend ahead of every byte of the client's.
     *
     * @param client     the client's channel, or {@code null} with {@code rawClient}.
     * @param rawClient  the client's channel-less socket (started, open), or {@code null}.
     * @param backend    the backend's connected channel, or {@code null} with {@code rawBackend}.
     * @param rawBackend the connected channel-less backend socket on the client's loop, or {@code null}.
     * @param first      the first flight (direct, one piece, not empty) or {@code null}; ownership passes here.
     */
    static SpliceConnection open(
        final Channel client,
        final RawClientSocket rawClient,
        final Channel backend,
        final RawBackendSocket rawBackend,
        final ByteBuf first,
        final long idleTimeoutNs,
        final long halfClosedTimeoutNs,
        final NanoClock clock,
        final RelayObserver observer,
        final boolean copy)
    {
        try
        {
            checkLoop(client != null ? client.eventLoop() : rawClient.loop(), client, backend, copy);
        }
        catch (final RuntimeException refused)
        {
            if (first != null)
            {
                first.release();
            }
            throw refused;
        }
        final SpliceConnection connection = new SpliceConnection(
            client, rawClient, backend, rawBackend, first, idleTimeoutNs, halfClosedTimeoutNs, clock, observer, copy);
        connection.begin();
        return connection;
    }

    /** {@code loop} is the client's; a channel given (client, backend) must be an epoll socket on it. */
    private static void checkLoop(final EventLoop loop, final Channel client, final Channel backend, final boolean copy)
    {
        if (copy ? !Epoll.isAvailable() : !AVAILABLE)
        {
            throw new IllegalStateException("raw relay not available (needs the epoll native transport"
                + (copy ? ")" : " and splice(2))"));
        }
        if (client != null && !(client instanceof UnixChannel) || backend != null && !(backend instanceof UnixChannel) ||
            !(loop instanceof IoEventLoop) || !((IoEventLoop)loop).isCompatible(EpollIoHandle.class))
        {
            throw new IllegalArgumentException("splice relay needs epoll socket channels");
        }
        if (backend != null && loop != backend.eventLoop())
        {
            throw new IllegalArgumentException("client and backend must share one event loop");
        }
        if (!loop.inEventLoop())
        {
            throw new IllegalStateException("call SpliceRelay.start on the channels' event loop");
        }
    }

    private static boolean probe()
    {
        try
        {
            if (!Epoll.isAvailable())
            {
                return false;
            }
            final FileDescriptor[] from = FileDescriptor.pipe();
            final FileDescriptor[] to = FileDescriptor.pipe();
            try
            {
                final ByteBuffer one = ByteBuffer.allocateDirect(1).put(0, (byte)42);
                if (from[1].write(one, 0, 1) != 1)
                {
                    return false;
                }
                return Native.splice(from[0].intValue(), -1, to[1].intValue(), -1, 1) == 1;
            }
            finally
            {
                from[0].close();
                from[1].close();
                to[0].close();
                to[1].close();
            }
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }
}
