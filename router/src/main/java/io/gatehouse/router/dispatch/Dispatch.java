package io.gatehouse.router.dispatch;

import io.gatehouse.balancer.Hash;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.peek.PeekResult;
import io.gatehouse.router.policy.RejectReason;
import io.gatehouse.router.proxy.ClientAddress;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.route.Route;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekProtocol;

/**
 * The dispatch stage: a {@link PeekResult}, the listener's routing snapshot and the client's address in,
 * one {@link Decision} out. Policy per peek outcome:
 * <table>
 * <caption>peek outcome to decision</caption>
 * <tr><th>outcome</th><th>decision</th></tr>
 * <tr><td>OK</td><td>route by name (and ALPN); no match: the listener's default route, else reject</td></tr>
 * <tr><td>NO_NAME</td><td>the listener's default route, else reject</td></tr>
 * <tr><td>NOT_RECOGNISED</td><td>the listener's default route, else reject without bytes (close)</td></tr>
 * <tr><td>MALFORMED, TOO_LARGE</td><td>close</td></tr>
 * <tr><td>silent for serverFirstDelay ({@link #serverFirst})</td><td>the server-first route</td></tr>
 * </table>
 * A route chosen must still admit the client's address (its own {@code allow}/{@code deny}); a refusal is
 * a close counted {@code rejected_acl}. The hash key is the route's: the name (SNI), the four-tuple, or
 * the source address.
 *
 * <p>Thread: the client's event loop. Stateless; allocates nothing (the route lookup and the hash read the
 * parser's name bytes in place), except the local address bytes for a four-tuple hash without a PROXY
 * header.
 */
public final class Dispatch
{
    private Dispatch()
    {
    }

    /** Decides where a peeked connection goes; {@link PeekResult#status()} is not NEED_MORE_DATA. */
    public static Decision decide(final PeekResult peek, final ListenerState state, final ClientAddress client, final Decision into)
    {
        final Route defaultRoute = state.routes().defaultRoute();
        final FirstFlightParser flight = peek.flight();
        switch (peek.status())
        {
            case OK:
            {
                final Route named = state.routes().lookup(flight.name(), 0, flight.nameLength(), flight);
                if (named != null)
                {
                    return admitted(Counter.PEEK_OK, named, hash(named, peek, client), peek, state, client, into);
                }
                return defaultOrReject(Counter.PEEK_OK, defaultRoute, peek, peek.protocol(), state, client, into);
            }
            case NO_NAME:
                return defaultOrReject(Counter.PEEK_NO_NAME, defaultRoute, peek, peek.protocol(), state, client, into);
            case NOT_RECOGNISED:
                return defaultOrReject(Counter.PEEK_NOT_RECOGNISED, defaultRoute, peek, null, state, client, into);
            case MALFORMED:
                return into.close(Counter.PEEK_MALFORMED, null, EndReason.PEEK_MALFORMED);
            default:
                return into.close(Counter.PEEK_TOO_LARGE, null, EndReason.PEEK_TOO_LARGE);
        }
    }

    /**
     * A client silent for the listener's server-first delay: the server-first route, or {@code null}
     * when the listener has none.
     */
    public static Decision serverFirst(final ListenerState state, final ClientAddress client, final Decision into)
    {
        final Route serverFirst = state.routes().serverFirstRoute();
        if (serverFirst == null)
        {
            return null;
        }
        return admitted(Counter.PEEK_SERVER_FIRST, serverFirst, sourceHash(client), null, state, client, into);
    }

    private static Decision defaultOrReject(
        final Counter outcome, final Route defaultRoute, final PeekResult peek, final PeekProtocol protocol,
        final ListenerState state, final ClientAddress client, final Decision into)
    {
        if (defaultRoute != null)
        {
            return admitted(outcome, defaultRoute, hash(defaultRoute, peek, client), protocol != null ? peek : null, state, client, into);
        }
        return into.reject(outcome, protocol);
    }

    private static Decision admitted(
        final Counter outcome, final Route target, final long hash, final PeekResult flight, final ListenerState state,
        final ClientAddress client, final Decision into)
    {
        final RejectReason refused = state.policy().admitRoute(target.index(), client.sourceAddress());
        if (refused != RejectReason.NONE)
        {
            return into.close(outcome, Counter.REJECTED_ACL, EndReason.rejected(refused));
        }
        return into.route(outcome, target, hash, flight);
    }

    /** The route's hash key: the name when it hashes by SNI and one was found, the four-tuple, else the source. */
    static long hash(final Route target, final PeekResult peek, final ClientAddress client)
    {
        final RouteConfig.HashKey key = target.hashKey();
        if (key == RouteConfig.HashKey.SNI && peek.hasName())
        {
            final FirstFlightParser flight = peek.flight();
            return Hash.hash(flight.name(), 0, flight.nameLength());
        }
        if (key == RouteConfig.HashKey.FOUR_TUPLE)
        {
            final byte[] to = client.destination() != null ? client.destination() : client.local().getAddress().getAddress();
            return Hash.mix(Hash.hashAddress(client.source(), client.sourcePort()), Hash.hashAddress(to, client.destinationPort()));
        }
        return sourceHash(client);
    }

    private static long sourceHash(final ClientAddress client)
    {
        return Hash.hashAddress(client.source(), 0);
    }
}
