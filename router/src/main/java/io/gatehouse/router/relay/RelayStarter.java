package io.gatehouse.router.relay;

import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;

/**
 * Hands a connected client and backend to the listener's relay: writes the PROXY header (if any) and the
 * peeked bytes to the backend first, unchanged, then starts the relay: on epoll the raw-socket relay
 * ({@link SpliceRelay}: splice(2) where the listener asks for it, else recv/send through pooled buffers),
 * on io_uring and NIO Netty's copy relay ({@link CopyRelay}). Event loop thread only.
 */
public final class RelayStarter
{
    private static final System.Logger LOG = System.getLogger(RelayStarter.class.getName());
    private static volatile boolean spliceFallbackLogged;

    private RelayStarter()
    {
    }

    /**
     * @param session         the connection; it already holds the backend ({@link Session#onRelayStarted}).
     * @param backend         the backend's channel, or {@code null} with {@code rawBackend}.
     * @param rawBackend      the backend's channel-less socket (epoll only, never with {@code copy}), or {@code null}.
     * @param proxyHeader     written first when not {@code null}; ownership passes here.
     * @param peeked          the client's bytes read so far, or {@code null}; ownership passes here.
     * @param clientInputDone the client's FIN was already seen.
     * @param copy            relay by copy whatever the listener's {@code relay} (a handler in front of the
     *                        relay on the client's pipeline still has to see the client's bytes).
     */
    public static void start(
        final Session session,
        final ListenerState state,
        final Channel client,
        final Channel backend,
        final RawBackendSocket rawBackend,
        final ByteBuf proxyHeader,
        final ByteBuf peeked,
        final boolean clientInputDone,
        final boolean copy)
    {
        final Worker worker = session.worker();
        if (rawBackend != null || runsOnRawSockets(worker, copy))
        {
            // On epoll both modes run on the raw sockets: splice(2) through pipes, or recv/send through pooled buffers.
            startOnRawSockets(session, state, client, null, backend, rawBackend, firstFlight(client.alloc(), proxyHeader, peeked));
            return;
        }
        if (state.relaySplice() && !copy)
        {
            logSpliceFallback(state, worker);
        }
        CopyRelay.start(session, client, backend, concat(backend, proxyHeader, peeked), state.idleTimeoutNs(),
            state.halfClosedTimeoutNs(), clientInputDone);
    }

    /**
     * As {@link #start} for a client with no channel ({@link RawClientSocket}, epoll): always the raw relay,
     * with either backend end.
     */
    static void startRaw(
        final Session session,
        final ListenerState state,
        final RawClientSocket client,
        final Channel backend,
        final RawBackendSocket rawBackend,
        final ByteBuf proxyHeader,
        final ByteBuf peeked)
    {
        startOnRawSockets(session, state, null, client, backend, rawBackend, firstFlight(client.alloc(), proxyHeader, peeked));
    }

    /** On epoll both modes run on the raw sockets: splice(2) through pipes, or recv/send through pooled buffers. */
    private static void startOnRawSockets(
        final Session session,
        final ListenerState state,
        final Channel client,
        final RawClientSocket rawClient,
        final Channel backend,
        final RawBackendSocket rawBackend,
        final ByteBuf first)
    {
        final Worker worker = session.worker();
        final boolean splice = state.relaySplice() && SpliceRelay.isAvailable();
        if (state.relaySplice() && !splice)
        {
            logSpliceFallback(state, worker);
        }
        final SpliceStage stage = new SpliceStage(session, state.idleTimeoutNs(), state.halfClosedTimeoutNs());
        session.onRelaying(stage);
        // No timer of the relay's own: the stage checks its timeouts on the worker's tick. The first flight
        // is the relay's to send (counted with the rest of the client's bytes as it goes out).
        stage.connection(SpliceRelay.open(client, rawClient, backend, rawBackend, first, 0, 0, worker.clock(), stage, !splice));
    }

    /**
     * The PROXY header and the peeked bytes as one direct buffer in one piece (the raw relay sends it with
     * send(2)); the peeked buffer itself when it already is one and no header goes first; {@code null} when
     * there are no bytes. Both inputs are released (or passed on).
     */
    static ByteBuf firstFlight(final ByteBufAllocator allocator, final ByteBuf proxyHeader, final ByteBuf peeked)
    {
        final int headerBytes = proxyHeader != null ? proxyHeader.readableBytes() : 0;
        final int peekedBytes = peeked != null ? peeked.readableBytes() : 0;
        if (proxyHeader == null && peekedBytes > 0 && peeked.isDirect() && peeked.nioBufferCount() == 1)
        {
            return peeked;
        }
        ByteBuf first = null;
        try
        {
            if (headerBytes + peekedBytes > 0)
            {
                first = allocator.directBuffer(headerBytes + peekedBytes);
                if (proxyHeader != null)
                {
                    first.writeBytes(proxyHeader, proxyHeader.readerIndex(), headerBytes);
                }
                if (peeked != null)
                {
                    first.writeBytes(peeked, peeked.readerIndex(), peekedBytes);
                }
            }
            return first;
        }
        finally
        {
            if (proxyHeader != null)
            {
                proxyHeader.release();
            }
            if (peeked != null)
            {
                peeked.release();
            }
        }
    }

    /**
     * True when {@link #start} runs the relay on the raw sockets (epoll, not forced to copy), the one rule the
     * connector also asks before it makes a channel-less backend socket.
     */
    public static boolean runsOnRawSockets(final Worker worker, final boolean copy)
    {
        return !copy && worker.transport() == Transport.EPOLL;
    }

    private static void logSpliceFallback(final ListenerState state, final Worker worker)
    {
        if (!spliceFallbackLogged)
        {
            spliceFallbackLogged = true;
            LOG.log(System.Logger.Level.WARNING, "listener " + state.name() + ": relay splice needs the epoll transport"
                + " with splice(2); using copy on " + worker.transport().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static ByteBuf concat(final Channel backend, final ByteBuf proxyHeader, final ByteBuf peeked)
    {
        if (proxyHeader == null)
        {
            return peeked;
        }
        if (peeked == null)
        {
            return proxyHeader;
        }
        return backend.alloc().compositeDirectBuffer(2).addComponents(true, proxyHeader, peeked);
    }
}
