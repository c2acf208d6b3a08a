package io.gatehouse.router;

import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.health.HealthMonitor;
import io.gatehouse.router.listen.BindFailure;
import io.gatehouse.router.listen.Listener;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.route.RoutingSnapshot;
import io.gatehouse.router.route.SnapshotRef;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.metrics.ListenerCounters;
import io.gatehouse.router.metrics.RouteCounters;
import io.gatehouse.router.metrics.RouterMetrics;
import io.gatehouse.router.metrics.WorkerCounters;
import io.gatehouse.router.policy.AdmissionPolicy;
import io.gatehouse.router.policy.ConnectionLimit;
import io.gatehouse.router.route.BackendOverrides;
import io.gatehouse.router.route.Route;
import io.gatehouse.router.route.RouteCompiler;
import io.gatehouse.router.route.RouteTable;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.systemd.InheritedSocket;
import io.gatehouse.router.systemd.InheritedSockets;
import io.gatehouse.router.systemd.ServerChannelAdopter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The running router: event loops on the chosen transport, one {@link Worker} per loop, the bound
 * {@link Listener}s and the {@link RoutingSnapshot} they serve from.
 *
 * <p>Control thread only (start, reload, drain, close are serialised by this object's monitor); event
 * loops see the router only through the published snapshot and their own worker.
 */
public final class Router implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    private final Transport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final Worker[] workers;
    private final RouteCompiler compiler;
    private final BackendOverrides overrides = new BackendOverrides();
    private final SnapshotRef snapshots = new SnapshotRef(new RoutingSnapshot(new ListenerState[0]));
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final RouterMetrics metrics;
    private final ConnectionLimit connectionLimit;
    private final NanoClock clock;
    private volatile Map<String, ListenerState> states = Map.of();
    /** Reloads applied (control thread); what a grace timer knows its reload by. */
    private long reloads;
    /**
     * For each route that stays but lost a backend: the last reload that took one (written by reloads, read by
     * grace timers on event loops; see {@link #stoppedBy}).
     */
    private final ConcurrentHashMap<String, Long> backendLossAt = new ConcurrentHashMap<>();
    private final InheritedSockets inherited;
    private final Set<Integer> adoptedFds = new HashSet<>();
    private GatehouseConfig config;
    private int nextSlot;
    private boolean closed;

    private Router(
        final GatehouseConfig config,
        final NanoClock clock,
        final InheritedSockets inherited,
        final HealthMonitor health,
        final ConnectionLimit connectionLimit)
    {
        this.clock = clock;
        this.connectionLimit = connectionLimit != null ? connectionLimit : new ConnectionLimit(config.runtime().maxConnections());
        this.inherited = inherited;
        this.transport = Transport.select(transportFor(config, inherited));
        final int workerCount = config.runtime().workers() > 0
            ? config.runtime().workers()
            : Runtime.getRuntime().availableProcessors();
        this.group = new MultiThreadIoEventLoopGroup(
            workerCount,
            new DefaultThreadFactory("gatehouse-" + transport.name().toLowerCase(Locale.ROOT), true),
            transport.ioHandlerFactory());
        final List<Worker> list = new ArrayList<>();
        for (final EventExecutor executor : group)
        {
            list.add(new Worker(list.size(), (EventLoop)executor, transport, clock));
        }
        this.workers = list.toArray(new Worker[0]);
        this.compiler = new RouteCompiler(workers.length, health);
        final WorkerCounters[] counters = new WorkerCounters[workers.length];
        for (int i = 0; i < workers.length; i++)
        {
            counters[i] = workers[i].counters();
        }
        this.metrics = new RouterMetrics(counters, this::servingRouteCounters, this::policies, this::servingListenerCounters);
        LOG.log(System.Logger.Level.INFO, "transport " + transport.name().toLowerCase(Locale.ROOT)
            + " (asked: " + config.runtime().transport().name().toLowerCase(Locale.ROOT) + "), " + workers.length + " event loops");
    }

    /**
     * Starts a router as {@code gatehouse run} does: the system clock, and the listening sockets systemd
     * passed (socket activation: {@code LISTEN_FDS}/{@code LISTEN_PID}), if any, adopted by the listeners
     * bound to the same address instead of binding new ones.
     *
     * @throws IllegalStateException also when {@code LISTEN_FDS} is present but malformed.
     */
    public static Router start(final GatehouseConfig config) throws BindFailure
    {
        return start(config, SystemNanoClock.INSTANCE, InheritedSockets.fromEnvironment());
    }

    /** Starts a router with {@code clock} that binds every listener itself (no inherited sockets). */
    public static Router start(final GatehouseConfig config, final NanoClock clock) throws BindFailure
    {
        return start(config, clock, new InheritedSockets(InheritedSockets.Status.NONE, List.of(), null));
    }

    /** The transport to ask for: the config's, or epoll when systemd passed sockets (only epoll adopts them). */
    private static io.gatehouse.router.config.RuntimeConfig.Transport transportFor(final GatehouseConfig config, final InheritedSockets inherited)
    {
        switch (inherited.status())
        {
            case MALFORMED:
                throw new IllegalStateException("socket activation: " + inherited.reason());
            case NOT_FOR_THIS_PROCESS:
                LOG.log(System.Logger.Level.INFO, "socket activation: ignoring LISTEN_FDS: " + inherited.reason());
                return config.runtime().transport();
            case OK:
                LOG.log(System.Logger.Level.INFO, "socket activation: inherited " + inherited.sockets());
                if (!inherited.present())
                {
                    return config.runtime().transport();
                }
                final ServerChannelAdopter.TransportChoice choice = ServerChannelAdopter.transportFor(config.runtime().transport());
                if (choice.notice() != null)
                {
                    LOG.log(System.Logger.Level.WARNING, choice.notice());
                }
                return choice.transport();
            default:
                return config.runtime().transport();
        }
    }

    /**
     * Starts event loops, compiles the routes and binds every listener, or nothing.
     *
     * @param clock     the clock peek deadlines, server-first delays and idle timeouts read (tests move it).
     * @param inherited sockets systemd passed; a listener adopts those bound to its address (see
     *                  {@link InheritedSockets#forListener}) instead of binding.
     * @throws BindFailure              naming the address when a listener cannot be bound (nothing stays bound).
     * @throws IllegalArgumentException when the routes cannot be compiled (a name claimed twice).
     * @throws IllegalStateException    when the configured transport is unavailable.
     */
    public static Router start(final GatehouseConfig config, final NanoClock clock, final InheritedSockets inherited) throws BindFailure
    {
        return start(config, clock, inherited, null, null);
    }

    /**
     * As {@link #start(GatehouseConfig, NanoClock)}, registering every route with {@code health} (active
     * checks, passive ejection on connect failures).
     */
    public static Router start(final GatehouseConfig config, final NanoClock clock, final HealthMonitor health)
        throws BindFailure
    {
        return start(config, clock, new InheritedSockets(InheritedSockets.Status.NONE, List.of(), null), health, null);
    }

    /**
     * Everything {@code gatehouse run} passes.
     *
     * @param inherited       sockets systemd passed (see {@link #start(GatehouseConfig, NanoClock, InheritedSockets)}).
     * @param health          where every route registers (active checks, passive ejection on connect
     *                        failures), or {@code null} for none.
     * @param connectionLimit {@code runtime.max_connections}, shared with the control plane, or {@code null}
     *                        for a limit of the router's own.
     */
    public static Router start(
        final GatehouseConfig config,
        final NanoClock clock,
        final InheritedSockets inherited,
        final HealthMonitor health,
        final ConnectionLimit connectionLimit)
        throws BindFailure
    {
        final Router router = new Router(config, clock, inherited, health, connectionLimit);
        try
        {
            router.reload(config);
            router.reportUnclaimedSockets();
        }
        catch (final BindFailure | RuntimeException ex)
        {
            router.close();
            throw ex;
        }
        for (final Worker worker : router.workers)
        {
            worker.start();
        }
        return router;
    }

    /**
     * Serves {@code next}: compiles its routes off the event loops, binds its new listeners (all or none;
     * on failure nothing changes), publishes the new routes and backends with one volatile write, then
     * closes the listening sockets of listeners that are gone. Established connections are never cut:
     * they keep the routes they were accepted with. Transport and worker count changes need a restart.
     */
    public synchronized void reload(final GatehouseConfig next) throws BindFailure
    {
        if (closed)
        {
            throw new IllegalStateException("router is closed");
        }
        if (config != null && (next.runtime().transport() != config.runtime().transport()
            || next.runtime().workers() != config.runtime().workers()))
        {
            LOG.log(System.Logger.Level.WARNING, "transport and workers changes take effect on restart only");
        }
        final Map<String, ListenerState> states = new LinkedHashMap<>();
        compiler.beginGeneration();
        overrides.beginGeneration();
        for (final ListenerConfig listener : next.listeners())
        {
            final ListenerState previous = this.states.get(listener.name());
            final AdmissionPolicy policy = previous != null
                ? previous.policy().reconfigure(listener)
                : AdmissionPolicy.create(listener, connectionLimit, clock::nanoTime);
            final RouteTable table = compiler.compile(listener);
            overrides.applyTo(listener, table);
            final ListenerCounters counters = previous != null
                ? previous.counters()
                : new ListenerCounters(listener.name(), workers.length);
            states.put(listener.name(), new ListenerState(listener, table, policy, counters, workers.length,
                next.runtime().idleTimeoutMs()));
        }

        final Map<String, Listener> kept = new LinkedHashMap<>();
        final List<Listener> added = new ArrayList<>();
        final List<Listener> removed = new ArrayList<>();
        final Map<String, Integer> slots = new LinkedHashMap<>();
        int slotLimit = nextSlot;
        for (final ListenerConfig listener : next.listeners())
        {
            final Listener current = listeners.get(listener.name());
            if (current != null && current.address().equals(listener.address()))
            {
                kept.put(listener.name(), current);
                slots.put(listener.name(), current.slot());
            }
            else
            {
                final Listener fresh = new Listener(listener.name(), listener.address(), slotLimit++, workers, group, snapshots);
                fresh.inherit(unclaimed(listener));
                added.add(fresh);
                slots.put(listener.name(), fresh.slot());
            }
        }
        for (final Listener current : listeners.values())
        {
            if (kept.get(current.name()) != current)
            {
                removed.add(current);
            }
        }

        final ListenerState[] bySlot = new ListenerState[slotLimit];
        for (final Map.Entry<String, Integer> entry : slots.entrySet())
        {
            bySlot[entry.getValue()] = states.get(entry.getKey());
        }
        final RoutingSnapshot snapshot = new RoutingSnapshot(bySlot);
        final RoutingSnapshot previous = snapshots.current();
        snapshots.publish(snapshot);
        final List<Listener> bound = new ArrayList<>();
        try
        {
            for (final Listener listener : added)
            {
                listener.bind();
                bound.add(listener);
            }
        }
        catch (final BindFailure ex)
        {
            for (final Listener listener : bound)
            {
                listener.close();
            }
            snapshots.publish(previous);
            throw ex;
        }
        nextSlot = slotLimit;
        final long generation = ++reloads;
        final Set<String> stopped = stoppedServing(this.states, states, generation);
        final boolean lostBackends = backendLossAt.containsValue(generation);
        this.states = Map.copyOf(states);
        compiler.endGeneration();
        overrides.endGeneration();
        if (!stopped.isEmpty() || lostBackends)
        {
            // this reload's grace closes only what this reload stopped serving (and what serves then does not
            // bring back): a route removed by a later reload gets that reload's whole grace
            // (the lookup in what serves first: it allocates nothing, and most sessions are still served)
            workers[0].loop().schedule(() -> closeSessions(session -> servesNoLonger(this.states, session)
                    && stoppedBy(generation, stopped, session), RouterMetrics.OperatorClose.ROUTE_REMOVED),
                next.runtime().removedRouteDrainMs(), TimeUnit.MILLISECONDS);
        }
        for (final Listener listener : added)
        {
            listener.inheritedFds().forEach(adoptedFds::add);
        }
        for (final Listener listener : removed)
        {
            listener.close();
        }
        listeners.clear();
        for (final ListenerConfig listener : next.listeners())
        {
            final Listener kept0 = kept.get(listener.name());
            listeners.put(listener.name(), kept0 != null ? kept0 : find(added, listener.name()));
        }
        config = next;
        for (final Listener listener : added)
        {
            LOG.log(System.Logger.Level.INFO, "listening: " + listener.name() + " on " + listener.boundAddress());
        }
    }

    /** The inherited sockets for {@code listener} that no listener adopted yet (an adopted fd closes with its listener). */
    private List<InheritedSocket> unclaimed(final ListenerConfig listener)
    {
        final List<InheritedSocket> sockets = new ArrayList<>();
        for (final InheritedSocket socket : inherited.forListener(listener.name(), listener.address()))
        {
            if (!adoptedFds.contains(socket.fd()))
            {
                sockets.add(socket);
            }
        }
        return sockets;
    }

    private void reportUnclaimedSockets()
    {
        for (final InheritedSocket socket : inherited.sockets())
        {
            if (!adoptedFds.contains(socket.fd()))
            {
                LOG.log(System.Logger.Level.WARNING, "socket activation: inherited " + socket + " matches no listener's address; not served");
            }
        }
    }

    private static Listener find(final List<Listener> list, final String name)
    {
        for (final Listener listener : list)
        {
            if (listener.name().equals(name))
            {
                return listener;
            }
        }
        throw new IllegalStateException(name);
    }

    /**
     * SIGTERM: stops accepting on every listener, lets open connections finish for up to {@code timeout},
     * then closes whatever is left.
     *
     * @return true when every connection finished on its own within the timeout.
     */
    public boolean drain(final Duration timeout) throws InterruptedException
    {
        synchronized (this)
        {
            for (final Listener listener : listeners.values())
            {
                listener.close();
            }
        }
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (metrics.activeConnections() > 0 && deadlineNs - System.nanoTime() > 0)
        {
            Thread.sleep(20);
        }
        final boolean finished = metrics.activeConnections() == 0;
        if (!finished)
        {
            LOG.log(System.Logger.Level.INFO, "drain timeout: closing " + metrics.activeConnections() + " connections");
            for (final Worker worker : workers)
            {
                worker.closeAllConnections();
            }
        }
        return finished;
    }

    /** Closes every listener and connection and stops the event loops. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final Listener listener : listeners.values())
        {
            listener.close();
        }
        for (final Worker worker : workers)
        {
            worker.stop();
            worker.closeAllConnections();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public Transport transport()
    {
        return transport;
    }

    public RouterMetrics metrics()
    {
        return metrics;
    }

    /** The event loops' workers (tests tick them after moving the clock). */
    public List<Worker> workers()
    {
        return List.of(workers);
    }

    /** The address the named listener actually bound (its real port when the config said 0). */
    public synchronized InetSocketAddress boundAddress(final String listenerName)
    {
        final Listener listener = listeners.get(listenerName);
        return listener == null ? null : listener.boundAddress();
    }

    /** How many listening sockets the named listener holds (0 when there is no such listener). */
    public synchronized int listeningSockets(final String listenerName)
    {
        final Listener listener = listeners.get(listenerName);
        return listener == null ? 0 : listener.socketCount();
    }

    /** Control thread: write one access log line per client connection to what {@code source} gives (null: none). */
    public void accessLog(final java.util.function.Supplier<io.gatehouse.router.log.AccessLog> source)
    {
        for (final Worker worker : workers)
        {
            worker.accessLog(source);
        }
    }

    /**
     * {@code POST /backends/{listener}/{route}/{address}}: drains, disables or enables a serving backend and/or
     * sets its weight, kept across reloads until the config changes that backend ({@link BackendOverrides}).
     * Disabling also closes the backend's open connections on every event loop (through each loop's task
     * queue; counted in {@code gatehouse_operator_closes_total{reason="backend_disabled"}}). Control path:
     * the admin work thread; serialised with {@link #reload}.
     *
     * @return the backend's state as JSON, or {@code null} when no such listener, route or backend serves.
     * @throws IllegalArgumentException for an address that is not {@code host:port} or a weight out of range.
     */
    public synchronized String setBackend(
        final String listenerName, final String routeId, final String address, final BackendOverrides.State state,
        final Integer weight)
    {
        final String backend = io.gatehouse.router.config.HostPort.parse(address).toString();
        final ListenerState listener = states.get(listenerName);
        if (listener == null)
        {
            return null;
        }
        Route route = null;
        for (final Route candidate : listener.routes().routes())
        {
            if (candidate.id().equals(routeId))
            {
                route = candidate;
            }
        }
        if (route == null)
        {
            return null;
        }
        final BackendOverrides.View view = overrides.set(listener.config(), route, backend, state, weight);
        if (view != null && view.state() == BackendOverrides.State.DISABLED)
        {
            closeSessions(session -> session.isRelayed() && session.listener().name().equals(listenerName)
                && session.route().id().equals(routeId) && session.route().pool().backend(session.backendIndex()).id().equals(backend),
                RouterMetrics.OperatorClose.BACKEND_DISABLED);
        }
        return view == null ? null : view.json();
    }

    /**
     * The routes (by listener, id and revision: {@link #routeKey}) that {@code before} served and {@code after}
     * does not: their listener or id is gone, or their revision changed. A route that stays but lost a backend
     * is recorded in {@link #backendLossAt} with {@code generation} instead (one entry per route, however many
     * backends left), and a route that is gone is forgotten there. Control thread; linear in the backends of
     * the routes whose pool changed; what it keeps is one short string per route, so neither a grace timer
     * nor the router holds old route tables or one entry per removed backend.
     */
    private Set<String> stoppedServing(final Map<String, ListenerState> before, final Map<String, ListenerState> after,
        final long generation)
    {
        final Set<String> stopped = new HashSet<>();
        for (final Map.Entry<String, ListenerState> entry : before.entrySet())
        {
            final ListenerState next = after.get(entry.getKey());
            final Map<String, Route> serves = next == null ? Map.of() : servingByIdAndRevision(next);
            for (final Route route : entry.getValue().routes().routes())
            {
                final String key = routeKey(entry.getKey(), route);
                final Route serving = serves.get(idAndRevision(route));
                if (serving == null)
                {
                    stopped.add(key);
                    backendLossAt.remove(key);
                    continue;
                }
                if (serving.pool() != route.pool() && lostABackend(route, serving))
                {
                    backendLossAt.put(key, generation);
                }
            }
        }
        return stopped;
    }

    private static boolean lostABackend(final Route before, final Route after)
    {
        final Set<String> kept = new HashSet<>(after.pool().size() * 2);
        for (int i = 0; i < after.pool().size(); i++)
        {
            kept.add(after.pool().backend(i).id());
        }
        for (int i = 0; i < before.pool().size(); i++)
        {
            if (!kept.contains(before.pool().backend(i).id()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The routes {@code listener} serves by id and revision, indexed once per reload (a scan per old route made a
     * reload of 10,000 routes quadratic); the first of an id and revision, as ALPN may split an id.
     */
    private static Map<String, Route> servingByIdAndRevision(final ListenerState listener)
    {
        final List<Route> routes = listener.routes().routes();
        final Map<String, Route> byKey = new HashMap<>(routes.size() * 2);
        for (final Route serving : routes)
        {
            byKey.putIfAbsent(idAndRevision(serving), serving);
        }
        return byKey;
    }

    private static String idAndRevision(final Route route)
    {
        return route.id() + '\u0000' + route.revision();
    }

    private static String routeKey(final String listener, final Route route)
    {
        return listener + '\u0000' + idAndRevision(route);
    }

    /**
     * Whether reload {@code generation} may close {@code session}, which what serves now no longer has: its route
     * is among those that reload stopped serving, or (once relayed, its backend gone) the last reload that took
     * a backend from its route is not later than this one, so its backend left at this reload or before. A later
     * loss leaves the session to that reload's timer: under churn faster than the grace, connections to removed
     * backends are closed a grace after the last change, never before one.
     */
    private boolean stoppedBy(final long generation, final Set<String> stopped, final Session session)
    {
        final Route route = session.route();
        if (route == null)
        {
            return false;
        }
        final String key = routeKey(session.listener().name(), route);
        if (stopped.contains(key))
        {
            return true;
        }
        final Long lostAt = session.isRelayed() ? backendLossAt.get(key) : null;
        return lostAt != null && lostAt <= generation;
    }

    /**
     * Whether a session's route or backend is gone from {@code states}: its listener or route id no
     * longer served, the route served under its id with another {@link Route#revision()} (a changed xDS filter
     * chain), or (once relayed) its backend no longer in that route. Evaluated when the
     * {@code runtime.removed_route_drain} grace after a reload has passed, so a route put back meanwhile keeps
     * its connections. Event loop threads; reads the published states.
     */
    private static boolean servesNoLonger(final Map<String, ListenerState> states, final Session session)
    {
        final Route route = session.route();
        if (route == null)
        {
            return false;
        }
        final ListenerState listener = states.get(session.listener().name());
        if (listener == null)
        {
            return true;
        }
        for (final Route serving : listener.routes().routes())
        {
            if (serving.id().equals(route.id()))
            {
                if (!Objects.equals(serving.revision(), route.revision()))
                {
                    continue;
                }
                return session.isRelayed()
                    && BackendOverrides.indexOf(serving, route.pool().backend(session.backendIndex()).id()) < 0;
            }
        }
        return true;
    }

    /** Closes, on every event loop, the sessions {@code match} accepts, counting each under {@code why}. */
    private void closeSessions(final java.util.function.Predicate<Session> match, final RouterMetrics.OperatorClose why)
    {
        for (final Worker worker : workers)
        {
            Session.closeMatching(worker, session ->
            {
                if (!session.hasEnded() && match.test(session))
                {
                    metrics.onOperatorClose(why);
                    return true;
                }
                return false;
            }, EndReason.DRAIN);
        }
    }

    /** The counters of the routes serving now, one per listener and route (what metrics render). */
    private List<RouteCounters> servingRouteCounters()
    {
        final List<RouteCounters> out = new ArrayList<>();
        for (final ListenerState state : states.values())
        {
            for (final Route route : state.routes().routes())
            {
                out.add(route.counters());
            }
        }
        return out;
    }

    /** The counters of the listeners serving now (what metrics render; a removed listener's go with it). */
    private List<ListenerCounters> servingListenerCounters()
    {
        final List<ListenerCounters> out = new ArrayList<>();
        for (final ListenerState state : states.values())
        {
            out.add(state.counters());
        }
        return out;
    }

    private List<AdmissionPolicy> policies()
    {
        final List<AdmissionPolicy> list = new ArrayList<>();
        for (final ListenerState state : states.values())
        {
            list.add(state.policy());
        }
        return list;
    }

    /** The config being served. */
    public synchronized GatehouseConfig config()
    {
        return config;
    }
}
