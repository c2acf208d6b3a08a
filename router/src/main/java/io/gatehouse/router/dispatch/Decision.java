package io.gatehouse.router.dispatch;

import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.peek.PeekResult;
import io.gatehouse.router.route.Route;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.sni.PeekProtocol;

/**
 * What {@link Dispatch} decided for one connection: connect to a route (with the backend hash key), reject
 * (with the protocol whose reject bytes to send), or close; with the peek outcome's counter and, for a
 * reject or close, the counter and {@link EndReason} to record. Values only: the sequencer acts on them.
 *
 * <p>Thread: the client's event loop. Not thread-safe. Reused: one per connection, overwritten by each
 * decision.
 */
public final class Decision
{
    /** What to do with the connection. */
    public enum Action
    {
        /** Connect to {@link #route()}'s backends with {@link #hash()}. */
        ROUTE,
        /** Send {@link #rejectProtocol()}'s reject bytes (none when {@code null}), then close. */
        REJECT,
        /** Close now. */
        CLOSE
    }

    private Action action;
    private Counter outcome;
    private Counter refusal;
    private EndReason endReason;
    private Route route;
    private long hash;
    private PeekResult flight;
    private PeekProtocol rejectProtocol;

    Decision route(final Counter peekOutcome, final Route target, final long hashKey, final PeekResult withFlight)
    {
        return set(Action.ROUTE, peekOutcome, null, null, target, hashKey, withFlight, null);
    }

    Decision reject(final Counter peekOutcome, final PeekProtocol protocol)
    {
        return set(Action.REJECT, peekOutcome, Counter.REJECTED_NO_ROUTE, EndReason.NO_ROUTE, null, 0, null, protocol);
    }

    Decision close(final Counter peekOutcome, final Counter refusalCounter, final EndReason reason)
    {
        return set(Action.CLOSE, peekOutcome, refusalCounter, reason, null, 0, null, null);
    }

    private Decision set(
        final Action what, final Counter peekOutcome, final Counter refusalCounter, final EndReason reason, final Route target,
        final long hashKey, final PeekResult withFlight, final PeekProtocol protocol)
    {
        action = what;
        outcome = peekOutcome;
        refusal = refusalCounter;
        endReason = reason;
        route = target;
        hash = hashKey;
        flight = withFlight;
        rejectProtocol = protocol;
        return this;
    }

    public Action action()
    {
        return action;
    }

    /** The peek outcome's counter ({@code peek_ok}, ..., {@code peek_server_first}). */
    public Counter outcome()
    {
        return outcome;
    }

    /** For a reject or close: the refusal's counter ({@code rejected_no_route}, {@code rejected_acl}), or {@code null}. */
    public Counter refusal()
    {
        return refusal;
    }

    /** For a reject or close: the end reason; {@code null} for a route. */
    public EndReason endReason()
    {
        return endReason;
    }

    /** For a route: the route. */
    public Route route()
    {
        return route;
    }

    /** For a route: the backend pool's hash key (the name, the source, or the four-tuple, per the route). */
    public long hash()
    {
        return hash;
    }

    /**
     * For a route: the peek whose name and ALPN the outgoing PROXY v2 header carries, or {@code null}
     * (server-first, or no protocol recognised).
     */
    public PeekResult flight()
    {
        return flight;
    }

    /** For a reject: the protocol whose reject bytes to send, or {@code null} (close without a word). */
    public PeekProtocol rejectProtocol()
    {
        return rejectProtocol;
    }
}
