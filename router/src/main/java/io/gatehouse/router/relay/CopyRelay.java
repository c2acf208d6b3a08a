package io.gatehouse.router.relay;

import io.gatehouse.router.session.EndReason;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.session.SessionStage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;

/**
 * The default relay: two {@link CopyDirection}s, client to backend and backend to client, each handing
 * the very buffer it read to the other channel (no copy). The rules of one direction are written there;
 * how the two end together is written here, once:
 *
 * <ul>
 * <li><b>FIN</b>: forwarded as a half-close after the last byte before it; when both directions have
 *     carried their FIN, both channels close.</li>
 * <li><b>RST</b> on one side (seen by a read or a write): nothing more is written to it; what it sent
 *     before the reset is still read and delivered to the other side; its read then ends and both close.
 *     A channel closed under the relay: what was read from it is flushed to the other side, which is then
 *     closed. Any other error (not a peer's doing) closes both at once ({@code error}). Writes are made
 *     with auto-close off while a channel can still be read, so a failed write never closes a channel
 *     before its last bytes were read; once its input has ended, auto-close goes on for it, and a failed
 *     write closes it (a close under the relay, below).</li>
 * <li><b>A reset sink</b> (a write or the forwarded FIN failed): nothing more goes that way, but what that
 *     side sent before its reset is still read and delivered the other way; its read then ends in end of
 *     stream (then both close) or in the reset (the rule above).</li>
 * <li><b>Idle</b>: no byte either way for the idle timeout closes both; once one direction has ended (or
 *     the relay is flushing its last bytes before a close) the bound is the listener's shorter
 *     {@code half_closed_timeout} (default 60 s; HAProxy's {@code timeout client-fin}/{@code server-fin}),
 *     so a peer that vanished without a reset cannot hold a half-closed relay for the whole idle timeout;
 *     that end is {@code half_closed_timeout} even after a FIN ({@link Session#closeHalfClosed()}). Checked
 *     on the worker's relay tick, with the worker's clock, without a clock read per read.</li>
 * </ul>
 *
 * Every end event goes to the {@link Session} ({@link Session#noteEnd}: the first one is the access log's
 * {@code end}); the session ends once, when both channels have closed.
 *
 * <p>Thread: the event loop both channels share. Allocation: this object and its two directions at
 * start, nothing per read.
 */
public final class CopyRelay implements SessionStage
{
    private final Session session;
    private final Channel client;
    private final Channel backend;
    private final CopyDirection toBackend;
    private final CopyDirection toClient;
    private final long idleTimeoutNs;
    private final long halfClosedTimeoutNs;
    private boolean closing;
    private QuietTime quiet;

    private CopyRelay(
        final Session session, final Channel client, final Channel backend, final long idleTimeoutNs, final long halfClosedTimeoutNs)
    {
        this.session = session;
        this.client = client;
        this.backend = backend;
        this.idleTimeoutNs = idleTimeoutNs;
        this.halfClosedTimeoutNs = Math.min(idleTimeoutNs, halfClosedTimeoutNs);
        this.toBackend = new CopyDirection(this, client, backend, true);
        this.toClient = new CopyDirection(this, backend, client, false);
        toBackend.reverse = toClient;
        toClient.reverse = toBackend;
    }

    /**
     * Starts relaying between two connected channels on their shared loop: writes {@code first} to the
     * backend, then reads both sides. The session must already hold the backend
     * ({@link Session#onRelayStarted}).
     *
     * @param first           bytes owed to the backend before anything read from now on (PROXY header,
     *                        peeked bytes), or {@code null}; ownership passes here.
     * @param idleTimeoutNs       no byte either way for this long closes both.
     * @param halfClosedTimeoutNs the same once one direction has ended (the lesser of the two counts).
     * @param clientInputDone     true when the client's FIN was already seen during the peek.
     */
    public static CopyRelay start(
        final Session session,
        final Channel client,
        final Channel backend,
        final ByteBuf first,
        final long idleTimeoutNs,
        final long halfClosedTimeoutNs,
        final boolean clientInputDone)
    {
        final CopyRelay relay = new CopyRelay(session, client, backend, idleTimeoutNs, halfClosedTimeoutNs);
        relay.quiet = new QuietTime(session.worker().nowNs(), session.bytesMoved());
        session.onRelaying(relay);
        backend.pipeline().addLast(relay.toClient);
        client.pipeline().addLast(relay.toBackend);
        if (first != null)
        {
            session.onClientToBackend(first.readableBytes());
            backend.writeAndFlush(first, backend.voidPromise());
        }
        if (!client.isActive() || !backend.isActive())
        {
            session.close(client.isActive() ? EndReason.BACKEND_CLOSED : EndReason.CLIENT_CLOSED);
            return relay;
        }
        relay.toClient.start();
        if (clientInputDone)
        {
            relay.toBackend.onSourceEnded();
        }
        else
        {
            relay.toBackend.start();
        }
        return relay;
    }

    boolean isClosing()
    {
        return closing;
    }

    void onBytes(final boolean fromClient, final int length)
    {
        if (fromClient)
        {
            session.onClientToBackend(length);
        }
        else
        {
            session.onBackendToClient(length);
        }
    }

    /**
     * {@code direction}'s source read end of stream: a FIN, or (epoll and io_uring, {@link TcpState}) a reset that
     * read(2) reported as end of stream. Only the word differs; the relay goes on as after a FIN (a write to
     * a reset side fails and is taken as its reset).
     */
    void onSourceEnded(final CopyDirection direction)
    {
        if (session.endReason() == null && TcpState.wasReset(direction.source))
        {
            session.noteEnd(direction.fromClient ? EndReason.CLIENT_RESET : EndReason.BACKEND_RESET);
            return;
        }
        session.noteEnd(direction.fromClient ? EndReason.CLIENT_CLOSED : EndReason.BACKEND_CLOSED);
    }

    /** One direction finished; when both have, both channels close (every byte was flushed before the FINs). */
    void onDirectionDone()
    {
        if (toBackend.isDone() && toClient.isDone() && !closing)
        {
            closing = true;
            client.close();
            backend.close();
        }
    }

    /** {@code direction}'s sink reset: what it sent before still goes the other way, unless that way is done too. */
    void onSinkReset(final CopyDirection direction)
    {
        session.noteEnd(direction.fromClient ? EndReason.BACKEND_RESET : EndReason.CLIENT_RESET);
        onDirectionDone();
    }

    /**
     * An error on {@code direction}'s source channel. A reset (ECONNRESET, EPIPE, ENOTCONN, from a read or
     * a write): nothing more can go to that channel, what it sent before still comes out of its reads and
     * is delivered; its read then ends and the relay closes as both directions are done. Anything else is
     * not a peer's doing: both close now.
     */
    void onChannelError(final CopyDirection direction, final Throwable cause)
    {
        if (!isReset(cause))
        {
            closing = true;
            session.close(EndReason.ERROR);
            return;
        }
        onChannelReset(direction);
    }

    /**
     * {@code direction}'s source channel was reset: seen by a read or a write ({@link #onChannelError}), or
     * known from Netty shutting its output after a failed write, whose error the write consumed (no
     * exception is built for that one: under {@code wrk -H 'Connection: close'} it happens on most
     * connections, where a side closes with bytes unread, its kernel resets, and the next write to it
     * fails).
     */
    void onChannelReset(final CopyDirection direction)
    {
        session.noteEnd(direction.fromClient ? EndReason.CLIENT_RESET : EndReason.BACKEND_RESET);
        direction.reverse.onSinkFailed();
    }

    /**
     * {@code direction}'s source channel closed without the relay closing it: what was read from it is
     * delivered (flushed) to the other side, which is closed after; at once when nothing is pending there
     * (an empty write would cost a send of nothing and a loop turn before the close).
     */
    void onSourceClosed(final CopyDirection direction)
    {
        if (closing)
        {
            return;
        }
        closing = true;
        session.noteEnd(direction.fromClient ? EndReason.CLIENT_RESET : EndReason.BACKEND_RESET);
        final Channel other = direction.sink;
        if (other.isActive() && !direction.isSinkReset() && !CopyDirection.isFlushed(other))
        {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        else
        {
            other.close();
        }
    }

    /** Idle and half-closed timeouts (the worker's relay tick). */
    @Override
    public void onTick(final long nowNs)
    {
        final boolean halfClosed = closing || toBackend.hasSourceEnded() || toClient.hasSourceEnded()
            || toBackend.isSinkReset() || toClient.isSinkReset();
        if (quiet.isOver(nowNs, session.bytesMoved(), halfClosed ? halfClosedTimeoutNs : idleTimeoutNs))
        {
            if (halfClosed)
            {
                session.closeHalfClosed();
            }
            else
            {
                session.close(EndReason.IDLE_TIMEOUT);
            }
        }
    }

    /** A socket error that means the peer reset or went away (as opposed to a bug or a transport fault). */
    static boolean isReset(final Throwable cause)
    {
        return cause instanceof IOException || cause instanceof NotYetConnectedException;
    }
}
