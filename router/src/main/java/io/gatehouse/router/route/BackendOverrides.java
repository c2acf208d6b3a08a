package io.gatehouse.router.route;

import io.gatehouse.balancer.Backend;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What an operator changed at run time ({@code POST /backends/...}): a backend drained, disabled, or given a
 * new weight. The router's tables are rebuilt at every reload, so the changes are kept here, keyed by
 * listener, route and backend address, and applied again to each new {@link Route}'s pool
 * ({@link #applyTo}) until the config changes that backend: an override is dropped when its backend leaves
 * the route or its configured weight differs from the one it was set over (the config's owner has spoken
 * since).
 *
 * <p>Control path: the reload thread and the admin work thread, serialised by the router; allocates freely.
 * Applying goes through the pool's {@code setAccepting}/{@code setWeight} (one volatile publish each).
 */
public final class BackendOverrides
{
    /** Operator states, in the order of {@code gatehouse_backend_operator_state}'s values. */
    public enum State
    {
        ENABLED, DRAINING, DISABLED
    }

    /** One backend's override: its state, its weight or 0 for the configured one, and the configured weight then. */
    private record Override(State state, int weight, int configWeight)
    {
    }

    private record Key(String listener, String route, String backend)
    {
    }

    /** A backend as the operator sees it after a change: for the admin API's JSON. */
    public record View(
        String listener, String route, String backend, State state, int weight, int configWeight, boolean healthy,
        long activeConnections)
    {
        /** The JSON object {@code POST /backends} answers with. */
        public String json()
        {
            return "{\"listener\": " + quote(listener) + ", \"route\": " + quote(route) + ", \"backend\": " + quote(backend)
                + ", \"state\": \"" + state.name().toLowerCase(java.util.Locale.ROOT) + "\", \"weight\": " + weight
                + ", \"config_weight\": " + configWeight + ", \"healthy\": " + healthy + ", \"active_connections\": "
                + activeConnections + "}\n";
        }
    }

    private final Map<Key, Override> overrides = new HashMap<>();
    private final Set<Key> seen = new HashSet<>();

    /** Starts a reload's pass; {@link #endGeneration()} forgets overrides of backends no longer configured. */
    public synchronized void beginGeneration()
    {
        seen.clear();
    }

    /** Forgets overrides whose backend the generation just applied no longer has. */
    public synchronized void endGeneration()
    {
        overrides.keySet().retainAll(seen);
    }

    /**
     * Applies the kept overrides to a freshly compiled listener's routes (before they are published), and
     * writes every backend's state and weight into its route's counters for metrics.
     */
    public synchronized void applyTo(final ListenerConfig listener, final RouteTable table)
    {
        // one index per pass: looking each route up by a scan of all of them made a reload of 10,000 routes
        // ~10^8 compares (1.2 s of CPU when every route changed)
        final Map<String, RouteConfig> byId = new HashMap<>(listener.routes().size() * 2);
        for (final RouteConfig config : listener.routes())
        {
            byId.putIfAbsent(config.id(), config);
        }
        for (final Route route : table.routes())
        {
            final RouteConfig config = byId.get(route.id());
            for (int i = 0; i < route.pool().size(); i++)
            {
                final String backend = route.pool().backend(i).id();
                final Key key = new Key(listener.name(), route.id(), backend);
                seen.add(key);
                final int configWeight = configWeight(config, i);
                Override override = overrides.get(key);
                if (override != null && override.configWeight() != configWeight)
                {
                    overrides.remove(key);
                    override = null;
                }
                apply(route, i, override, configWeight);
            }
        }
    }

    /**
     * Sets a backend's state and/or weight on the serving route and keeps it for later generations.
     *
     * @param state  the new state, or {@code null} to keep the current one.
     * @param weight the new weight, or {@code null} to keep the current one.
     * @return the backend after the change, or {@code null} when the route has no such backend.
     * @throws IllegalArgumentException for a weight out of range.
     */
    public synchronized View set(
        final ListenerConfig listener, final Route route, final String backend, final State state, final Integer weight)
    {
        final int index = indexOf(route, backend);
        if (index < 0)
        {
            return null;
        }
        if (weight != null && (weight < Backend.MIN_WEIGHT || weight > Backend.MAX_WEIGHT))
        {
            throw new IllegalArgumentException("weight must be " + Backend.MIN_WEIGHT + ".." + Backend.MAX_WEIGHT + ", not " + weight);
        }
        final int configWeight = configWeight(config(listener, route.id()), index);
        final Key key = new Key(listener.name(), route.id(), backend);
        final Override current = overrides.getOrDefault(key, new Override(State.ENABLED, 0, configWeight));
        final Override next = new Override(state != null ? state : current.state(), weight != null ? weight : current.weight(),
            configWeight);
        if (next.state() == State.ENABLED && (next.weight() == 0 || next.weight() == configWeight))
        {
            overrides.remove(key);
        }
        else
        {
            overrides.put(key, next);
        }
        apply(route, index, next, configWeight);
        return view(listener.name(), route, index, next.state(), configWeight);
    }

    /** The index of {@code backend} ({@code host:port} as the config writes it) in {@code route}, or -1. */
    public static int indexOf(final Route route, final String backend)
    {
        for (int i = 0; i < route.pool().size(); i++)
        {
            if (route.pool().backend(i).id().equals(backend))
            {
                return i;
            }
        }
        return -1;
    }

    private static void apply(final Route route, final int index, final Override override, final int configWeight)
    {
        final State state = override == null ? State.ENABLED : override.state();
        final int weight = override == null || override.weight() == 0 ? configWeight : override.weight();
        // only what differs: each call copies the pool's state (and a weight rebuilds its table), so calling them
        // for every backend of every route made a reload quadratic (10,000 EDS endpoints: seconds per update)
        if (route.pool().isAccepting(index) != (state == State.ENABLED))
        {
            route.pool().setAccepting(index, state == State.ENABLED);
        }
        if (route.pool().backend(index).weight() != weight)
        {
            route.pool().setWeight(index, weight);
        }
        route.counters().onOperatorState(index, state.ordinal(), weight);
    }

    private static View view(final String listener, final Route route, final int index, final State state, final int configWeight)
    {
        return new View(listener, route.id(), route.pool().backend(index).id(), state, route.pool().backend(index).weight(),
            configWeight, route.pool().isHealthy(index), route.pool().activeConnections(index));
    }

    private static RouteConfig config(final ListenerConfig listener, final String routeId)
    {
        for (final RouteConfig route : listener.routes())
        {
            if (route.id().equals(routeId))
            {
                return route;
            }
        }
        return null;
    }

    private static int configWeight(final RouteConfig config, final int index)
    {
        if (config == null || index >= config.backends().size())
        {
            return Backend.MIN_WEIGHT;
        }
        final BackendConfig backend = config.backends().get(index);
        return Math.max(Backend.MIN_WEIGHT, backend.weight());
    }

    private static String quote(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
