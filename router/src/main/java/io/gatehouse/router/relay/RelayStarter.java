package io.gatehouse.router.relay;

import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.session.Session;
import io.netty.buffer.ByteBuf;
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
        final ByteBuf proxyHeader,
        final ByteBuf peeked,
        final boolean clientInputDone,
        final boolean copy)
    {
        final Worker worker = session.worker();
        final ByteBuf first = concat(backend, proxyHeader, peeked);
        if (!copy && worker.transport() == Transport.EPOLL)
        {
            // On epoll both modes run on the raw sockets: splice(2) through pipes, or recv/send through pooled buffers.
            final boolean splice = state.relaySplice() && SpliceRelay.isAvailable();
            if (state.relaySplice() && !splice)
            {
                logSpliceFallback(state, worker);
            }
            if (first != null)
            {
                session.onClientToBackend(first.readableBytes());
                backend.writeAndFlush(first, backend.voidPromise());
            }
            final SpliceStage stage = new SpliceStage(session, state.idleTimeoutNs(), state.halfClosedTimeoutNs());
            session.onRelaying(stage);
            // No timer of the relay's own: the stage checks its timeouts on the worker's tick.
            stage.connection(SpliceRelay.open(client, backend, 0, 0, worker::nowNs, stage, !splice));
            return;
        }
        if (state.relaySplice() && !copy)
        {
            logSpliceFallback(state, worker);
        }
        CopyRelay.start(session, client, backend, first, state.idleTimeoutNs(), state.halfClosedTimeoutNs(), clientInputDone);
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
