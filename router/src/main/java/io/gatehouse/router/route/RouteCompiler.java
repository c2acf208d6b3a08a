package io.gatehouse.router.route;

import io.gatehouse.balancer.Algorithm;
import io.gatehouse.balancer.Backend;
import io.gatehouse.balancer.BackendPool;
import io.gatehouse.balancer.BalancerOptions;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.health.HealthListener;
import io.gatehouse.router.health.HealthMonitor;
import io.gatehouse.router.health.RouteHealth;
import io.gatehouse.router.metrics.RouteCounters;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a listener's {@link RouteConfig}s into a {@link RouteTable}: builds each route's
 * {@link BackendPool}, resolves backend addresses, hands out {@link RouteCounters} that survive a
 * reload when the route keeps its id and backends, keeps a route's {@link BackendPool} (its table, its
 * health marks and open-connection counts) across a reload that leaves the route's id, backends,
 * weights, balance and health settings as they were (a Maglev or ring table is tens of thousands of
 * entries: rebuilding 10,000 unchanged ones took seconds per reload), and registers each route with the
 * {@link HealthMonitor} (when there is one), which then marks the pool's backends down and up. A
 * reload is {@link #beginGeneration()}, {@link #compile} per listener, {@link #endGeneration()} (which
 * unregisters the health of routes that are gone). Control thread only; allocates freely.
 */
public final class RouteCompiler
{
    private final int workerCount;
    private final HealthMonitor healthMonitor;
    private final BalancerOptions poolOptions;
    private final Map<String, RouteCounters> countersByKey = new HashMap<>();
    private final Map<String, RouteHealth> healthByKey = new HashMap<>();
    private final Set<String> keysThisGeneration = new HashSet<>();
    private final Map<String, BackendPool> poolsByKey = new HashMap<>();
    private final Map<String, Integer> poolUsesThisGeneration = new HashMap<>();
    private final Set<String> poolsThisGeneration = new HashSet<>();

    public RouteCompiler(final int workerCount)
    {
        this(workerCount, null);
    }

    /** @param healthMonitor where routes register for health checks, or {@code null} for none. */
    public RouteCompiler(final int workerCount, final HealthMonitor healthMonitor)
    {
        this(workerCount, healthMonitor, BalancerOptions.defaults());
    }

    /**
     * @param healthMonitor where routes register for health checks, or {@code null} for none.
     * @param poolOptions   every pool's balancer options: {@link BalancerOptions#defaults()} (tables sized
     *                      for each pool's backends) but in benchmarks that force other sizes.
     */
    public RouteCompiler(final int workerCount, final HealthMonitor healthMonitor, final BalancerOptions poolOptions)
    {
        this.workerCount = workerCount;
        this.healthMonitor = healthMonitor;
        this.poolOptions = Objects.requireNonNull(poolOptions, "poolOptions");
    }

    /** Starts compiling a whole config. */
    public synchronized void beginGeneration()
    {
        keysThisGeneration.clear();
        poolUsesThisGeneration.clear();
        poolsThisGeneration.clear();
    }

    /** The whole config compiled and published: routes not compiled in it stop being health-checked. */
    public synchronized void endGeneration()
    {
        poolsByKey.keySet().retainAll(poolsThisGeneration);
        final Iterator<Map.Entry<String, RouteHealth>> entries = healthByKey.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<String, RouteHealth> entry = entries.next();
            if (!keysThisGeneration.contains(entry.getKey()))
            {
                healthMonitor.unregister(entry.getValue());
                entries.remove();
            }
        }
    }

    /**
     * Compiles one listener's routes.
     *
     * @throws IllegalArgumentException when a name is claimed twice or a default route names no route.
     */
    public synchronized RouteTable compile(final ListenerConfig listener)
    {
        final RouteTable.Builder builder = new RouteTable.Builder();
        for (int i = 0; i < listener.routes().size(); i++)
        {
            final RouteConfig config = listener.routes().get(i);
            builder.add(config.hostnames(), compile(listener.name(), i, config));
        }
        final Route defaultRoute = resolve(builder, listener.defaultRoute(), "default");
        final Route serverFirstRoute = resolve(builder, listener.serverFirstRoute(), "serverFirstRoute");
        return builder.build(defaultRoute, serverFirstRoute);
    }

    /** Every route's counters known so far (for metrics). */
    public synchronized List<RouteCounters> counters()
    {
        return new ArrayList<>(countersByKey.values());
    }

    private static Route resolve(final RouteTable.Builder builder, final String id, final String what)
    {
        if (id == null)
        {
            return null;
        }
        final Route route = builder.route(id);
        if (route == null)
        {
            throw new IllegalArgumentException(what + " names no route: " + id);
        }
        return route;
    }

    /**
     * The pool of the route with {@code key}, as compiled last time when its balance, weights and health
     * settings are unchanged, else a new one. Two routes of one generation with the same key (one id split
     * by ALPN, same backends) get a pool each: the n-th use of a key in a generation maps to the n-th pool.
     *
     * <p>The health settings are part of the key because a kept pool keeps its down marks: the route's new
     * {@link RouteHealth} inherits the old one's state and, with the same settings, publishes the same
     * marks; with other settings (checks turned off, {@code when_all_down} changed) it could compute "up"
     * for a backend the kept pool has down and, believing it already up, never tell the pool.
     */
    private BackendPool pool(final String key, final RouteConfig config, final List<Backend> backends)
    {
        final StringBuilder shape = new StringBuilder(key).append('\u0000').append(config.balance().name())
            .append('\u0000').append(config.health()).append('\u0000').append(config.tables());
        for (final Backend backend : backends)
        {
            shape.append(',').append(backend.weight());
        }
        final String base = shape.toString();
        final String poolKey = base + '#' + poolUsesThisGeneration.merge(base, 1, Integer::sum);
        poolsThisGeneration.add(poolKey);
        return poolsByKey.computeIfAbsent(poolKey,
            k -> BackendPool.create(Algorithm.valueOf(config.balance().name()), backends, options(config.tables())));
    }

    /** The pools' options with the sizes a route chose itself (xDS); a size left {@code SCALED} scales with the pool. */
    private BalancerOptions options(final RouteConfig.Tables tables)
    {
        if (tables == null)
        {
            return poolOptions;
        }
        BalancerOptions options = poolOptions;
        if (tables.maglevTableSize() != BalancerOptions.SCALED)
        {
            options = options.withMaglevTableSize(tables.maglevTableSize());
        }
        return tables.ringMinSize() != BalancerOptions.SCALED
            ? options.withRingSize(tables.ringMinSize(), tables.ringMaxSize())
            : options.withRingMaxSize(tables.ringMaxSize());
    }

    private Route compile(final String listenerName, final int index, final RouteConfig config)
    {
        final List<Backend> backends = new ArrayList<>(config.backends().size());
        final InetSocketAddress[] addresses = new InetSocketAddress[config.backends().size()];
        final String[] ids = new String[addresses.length];
        for (int i = 0; i < addresses.length; i++)
        {
            final BackendConfig backend = config.backends().get(i);
            ids[i] = backend.address().toString();
            backends.add(new Backend(ids[i], Math.max(1, backend.weight())));
            addresses[i] = new InetSocketAddress(backend.address().host(), backend.address().port());
        }
        final byte[][] alpn = new byte[config.alpn().size()][];
        for (int i = 0; i < alpn.length; i++)
        {
            alpn[i] = config.alpn().get(i).getBytes(StandardCharsets.US_ASCII);
        }
        final String key = listenerName + '\u0000' + config.id() + '\u0000' + String.join(",", ids);
        final RouteCounters counters = countersByKey.computeIfAbsent(
            key, k -> new RouteCounters(listenerName, config.id(), ids, workerCount));
        final BackendPool pool = pool(key, config, backends);
        RouteHealth health = null;
        if (healthMonitor != null)
        {
            health = healthMonitor.register(listenerName, config, HealthListener.of(pool), healthByKey.get(key));
            healthByKey.put(key, health);
            keysThisGeneration.add(key);
        }
        return new Route(
            config.id(),
            index,
            alpn,
            pool,
            addresses,
            config.hashKey(),
            config.proxyProtocol(),
            (int)Math.min(Integer.MAX_VALUE, Math.max(1, config.connectTimeoutMs())),
            Math.max(1, config.connectAttempts()),
            counters,
            health,
            config.revision());
    }
}
