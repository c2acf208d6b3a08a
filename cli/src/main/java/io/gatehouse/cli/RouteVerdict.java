package io.gatehouse.cli;

import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.Hostname;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.route.Route;
import io.gatehouse.router.route.RouteCompiler;
import io.gatehouse.router.route.RouteTable;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What one listener would do with a first flight, for {@code gatehouse peek --config}: the route it takes
 * and why. The route comes from the router's own {@link RouteTable} compiled from the config (the same
 * lookup the event loops run), and the outcome follows the policy of the router's {@code dispatch.Dispatch}: a name
 * routes by name and ALPN; no match, no name or an unrecognised protocol take the listener's default
 * route, else are refused; malformed or too-large flights are closed; an incomplete one waits.
 *
 * @param listener the listener's name.
 * @param match    {@code exact}, {@code wildcard}, {@code default}, {@code reject}, {@code close} or
 *                 {@code wait}.
 * @param alpn     the ALPN condition of the route that matched, or {@code null} when it has none.
 * @param route    the route's name (its first hostname), or {@code null} when no route is taken.
 * @param backends the route's backends as written in the config.
 * @param why      one sentence for the operator.
 */
record RouteVerdict(String listener, String match, String alpn, String route, List<String> backends, String why)
{
    /** The verdict of {@code listener} on what {@code parser} read ({@code status}). Control thread; allocates. */
    static RouteVerdict of(final ListenerConfig listener, final FirstFlightParser parser, final PeekStatus status)
    {
        return switch (status)
        {
            case OK -> named(listener, new RouteCompiler(1).compile(listener), parser);
            case NO_NAME -> fallBack(listener, "the first flight names no host", true);
            case NOT_RECOGNISED -> fallBack(listener, "the first flight is neither TLS, HTTP/1.x nor h2c", false);
            case NEED_MORE_DATA -> new RouteVerdict(listener.name(), "wait", null, null, List.of(),
                "the first flight is incomplete: the router waits for more bytes, up to peek_timeout");
            default -> new RouteVerdict(listener.name(), "close", null, null, List.of(), "the first flight is "
                + (status == PeekStatus.MALFORMED ? "malformed" : "larger than peek_max_bytes") + ": the router closes the connection");
        };
    }

    private static RouteVerdict named(final ListenerConfig listener, final RouteTable table, final FirstFlightParser parser)
    {
        final String name = nameOf(parser);
        final Route named = table.lookup(parser.name(), 0, parser.nameLength(), parser);
        if (named == null)
        {
            return fallBack(listener, "no route matches '" + name + "'" + alpnOffer(parser), true);
        }
        final RouteConfig config = listener.routes().get(named.index());
        final String alpn = config.alpn().isEmpty() ? null : offered(config, parser);
        if (config.hostnames().contains(name))
        {
            return routed(listener, "exact", alpn, config, "'" + name + "' is one of the route's hostnames" + alpnWhy(alpn));
        }
        final String wildcard = config.hostnames().stream().filter(h -> Hostname.isWildcard(h) && name.endsWith(h.substring(1)))
            .max((a, b) -> a.length() - b.length()).orElse(config.id());
        return routed(listener, "wildcard", alpn, config, "'" + wildcard + "' covers '" + name + "'" + alpnWhy(alpn));
    }

    private static RouteVerdict fallBack(final ListenerConfig listener, final String reason, final boolean recognised)
    {
        if (listener.defaultRoute() != null)
        {
            final RouteConfig config = listener.routes().stream().filter(r -> r.hostnames().contains(listener.defaultRoute()))
                .findFirst().orElseThrow();
            return routed(listener, "default", null, config, reason + ": the listener's default route '"
                + listener.defaultRoute() + "'");
        }
        return new RouteVerdict(listener.name(), recognised ? "reject" : "close", null, null, List.of(), reason
            + (recognised ? ": no default route, refused (TLS alert unrecognized_name, HTTP 421)" : ": no default route, closed"));
    }

    private static RouteVerdict routed(
        final ListenerConfig listener, final String match, final String alpn, final RouteConfig config, final String why)
    {
        return new RouteVerdict(listener.name(), match, alpn, config.id(),
            config.backends().stream().map(BackendConfig::address).map(Object::toString).toList(), why);
    }

    private static String nameOf(final FirstFlightParser parser)
    {
        final byte[] bytes = new byte[parser.nameLength()];
        parser.name().getBytes(0, bytes);
        return Hostname.normalise(new String(bytes, StandardCharsets.US_ASCII));
    }

    /** The first of the route's ALPN protocols the client offered. */
    private static String offered(final RouteConfig config, final FirstFlightParser parser)
    {
        for (int i = 0; i < parser.alpnCount(); i++)
        {
            final byte[] bytes = new byte[parser.alpnLength(i)];
            parser.alpnBuffer().getBytes(parser.alpnOffset(i), bytes);
            final String protocol = new String(bytes, StandardCharsets.US_ASCII);
            if (config.alpn().contains(protocol))
            {
                return protocol;
            }
        }
        return null;
    }

    private static String alpnWhy(final String alpn)
    {
        return alpn == null ? "" : ", and the client offers ALPN '" + alpn + "', which the route requires";
    }

    private static String alpnOffer(final FirstFlightParser parser)
    {
        return parser.alpnCount() == 0 ? "" : " with the ALPN offered";
    }

    /** This verdict as the JSON object {@code peek} prints in its {@code routing} list. */
    void appendJson(final StringBuilder json)
    {
        json.append("{\"listener\": ");
        PeekCommand.jsonString(json, listener);
        json.append(", \"match\": \"").append(match).append("\", \"alpn\": ");
        if (alpn == null)
        {
            json.append("null");
        }
        else
        {
            PeekCommand.jsonString(json, alpn);
        }
        json.append(", \"route\": ");
        if (route == null)
        {
            json.append("null");
        }
        else
        {
            PeekCommand.jsonString(json, route);
        }
        json.append(", \"backends\": [");
        for (int i = 0; i < backends.size(); i++)
        {
            json.append(i == 0 ? "" : ", ");
            PeekCommand.jsonString(json, backends.get(i));
        }
        json.append("], \"why\": ");
        PeekCommand.jsonString(json, why);
        json.append('}');
    }
}
