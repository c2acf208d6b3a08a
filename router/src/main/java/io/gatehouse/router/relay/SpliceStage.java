package io.gatehouse.router.relay;

import io.gatehouse.router.session.EndReason;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.session.SessionStage;

/**
 * Joins a {@link SpliceConnection} to its {@link Session}: the splice relay's byte totals and end go to
 * the session (its words mapped to {@link EndReason}s), and the session's worker reaches it on drain.
 * Its idle and half-closed timeouts are checked on the worker's relay tick, as the copy relay's are (the
 * raw relay runs no timer of its own here). Event loop thread only.
 */
final class SpliceStage implements SessionStage, RelayObserver
{
    private final Session session;
    private final long idleTimeoutNs;
    private final long halfClosedTimeoutNs;
    private final QuietTime quiet;
    private SpliceConnection connection;

    /**
     * @param idleTimeoutNs       close after this long with no byte either way ({@code Long.MAX_VALUE}: never).
     * @param halfClosedTimeoutNs the bound once one direction has ended or a side reset, at most {@code idleTimeoutNs}
     *                            ({@link io.gatehouse.router.route.ListenerState#halfClosedTimeoutNs()} is).
     */
    SpliceStage(final Session session, final long idleTimeoutNs, final long halfClosedTimeoutNs)
    {
        this.session = session;
        this.idleTimeoutNs = idleTimeoutNs;
        this.halfClosedTimeoutNs = halfClosedTimeoutNs;
        this.quiet = new QuietTime(session.worker().nowNs(), 0);
    }

    void connection(final SpliceConnection value)
    {
        connection = value;
    }

    /** Idle and half-closed timeouts: the copy relay's rule ({@link QuietTime}), on the worker's tick and clock. */
    @Override
    public void onTick(final long nowNs)
    {
        final SpliceConnection relay = connection;
        if (relay == null)
        {
            return;
        }
        final boolean halfClosed = relay.isHalfClosed();
        if (quiet.isOver(nowNs, relay.bytesMoved(), halfClosed ? halfClosedTimeoutNs : idleTimeoutNs))
        {
            relay.closeQuiet(halfClosed);
        }
    }

    @Override
    public void onBytes(final long clientToBackend, final long backendToClient)
    {
        session.onClientToBackend(clientToBackend);
        session.onBackendToClient(backendToClient);
    }

    @Override
    public void onClosed(final String reason)
    {
        String first = connection != null ? connection.firstEnd() : null;
        if (SpliceConnection.HALF_CLOSED.equals(reason)
            && (SpliceConnection.CLIENT_EOF.equals(first) || SpliceConnection.BACKEND_EOF.equals(first)))
        {
            first = null; // the timer ended what the FIN only half-closed (EndReason's rule)
        }
        session.noteEnd(endOf(first != null ? first : reason));
    }

    private EndReason endOf(final String reason)
    {
        switch (reason)
        {
            case SpliceConnection.CLIENT_EOF:
                return EndReason.CLIENT_CLOSED;
            case SpliceConnection.BACKEND_EOF:
                return EndReason.BACKEND_CLOSED;
            case SpliceConnection.CLIENT_RESET:
                return EndReason.CLIENT_RESET;
            case SpliceConnection.BACKEND_RESET:
                return EndReason.BACKEND_RESET;
            case SpliceConnection.RESET:
                return connection != null && connection.resetByClient() ? EndReason.CLIENT_RESET : EndReason.BACKEND_RESET;
            case SpliceConnection.IDLE:
                return EndReason.IDLE_TIMEOUT;
            case SpliceConnection.HALF_CLOSED:
                return EndReason.HALF_CLOSED_TIMEOUT;
            case SpliceConnection.SHUTDOWN:
                return EndReason.DRAIN;
            default:
                return EndReason.ERROR;
        }
    }
}
