package io.gatehouse.router.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The router's counters as any thread reads them: each value is the sum of the per-loop slices. Reads
 * are plain (a value may be a few increments behind); nothing here is written. Also the data path's
 * {@link MetricsSource} for {@code GET /metrics} (admin thread; allocates per scrape).
 */
public final class RouterMetrics implements MetricsSource
{
    private final WorkerCounters[] workers;
    private final Supplier<List<RouteCounters>> routes;
    private final Supplier<? extends List<? extends MetricsSource>> policies;
    private final Supplier<List<ListenerCounters>> listeners;
    private final java.util.concurrent.atomic.AtomicLongArray operatorCloses =
        new java.util.concurrent.atomic.AtomicLongArray(OperatorClose.values().length);

    /** Why the router itself closed open connections on an operator's or a reload's behalf. */
    public enum OperatorClose
    {
        /** {@code POST /backends/...?state=disable}. */
        BACKEND_DISABLED,
        /** A reload removed the connection's route or backend and {@code runtime.removed_route_drain} passed. */
        ROUTE_REMOVED
    }

    public RouterMetrics(final WorkerCounters[] workers, final Supplier<List<RouteCounters>> routes)
    {
        this(workers, routes, List::of, List::of);
    }

    /**
     * @param policies  the listeners' admission policies now serving (their rejections by reason).
     * @param listeners the counters of the listeners serving now (a listener removed by a reload is gone from here).
     */
    public RouterMetrics(
        final WorkerCounters[] workers,
        final Supplier<List<RouteCounters>> routes,
        final Supplier<? extends List<? extends MetricsSource>> policies,
        final Supplier<List<ListenerCounters>> listeners)
    {
        this.workers = workers.clone();
        this.routes = routes;
        this.policies = policies;
        this.listeners = listeners;
    }

    /** The sum over every event loop. */
    public long total(final Counter counter)
    {
        long sum = 0;
        for (final WorkerCounters worker : workers)
        {
            sum += worker.get(counter);
        }
        return sum;
    }

    /** Any thread (an event loop at the forced close): one connection closed for {@code why}. */
    public void onOperatorClose(final OperatorClose why)
    {
        operatorCloses.incrementAndGet(why.ordinal());
    }

    /** Connections closed for {@code why} so far. */
    public long operatorCloses(final OperatorClose why)
    {
        return operatorCloses.get(why.ordinal());
    }

    /**
     * Client sockets open now on every event loop, whatever listener accepted them (those of a listener a
     * reload removed included): what the drain waits for.
     */
    public long activeConnections()
    {
        long sum = 0;
        for (final WorkerCounters worker : workers)
        {
            sum += worker.activeConnections();
        }
        return sum;
    }

    /** Counters of every listener serving now. */
    public List<ListenerCounters> listeners()
    {
        return listeners.get();
    }

    /** The counters of the serving listener {@code name}, or {@code null}. */
    public ListenerCounters listener(final String name)
    {
        for (final ListenerCounters counters : listeners.get())
        {
            if (counters.listener().equals(name))
            {
                return counters;
            }
        }
        return null;
    }

    /** Connections accepted by the listeners serving now, summed. */
    public long accepted()
    {
        long sum = 0;
        for (final ListenerCounters counters : listeners.get())
        {
            sum += counters.accepted();
        }
        return sum;
    }

    /** Connections of the listeners serving now whose session ended, summed. */
    public long closed()
    {
        long sum = 0;
        for (final ListenerCounters counters : listeners.get())
        {
            sum += counters.closed();
        }
        return sum;
    }

    /** Bytes relayed from clients to backends through the listeners serving now. */
    public long bytesClientToBackend()
    {
        long sum = 0;
        for (final ListenerCounters counters : listeners.get())
        {
            sum += counters.bytesClientToBackend();
        }
        return sum;
    }

    /** Counters of every route serving now (a route removed or changed by a reload is gone from here). */
    public List<RouteCounters> routes()
    {
        return routes.get();
    }

    /** The counters of the route {@code listenerName/routeId}, or {@code null}. */
    public RouteCounters route(final String listenerName, final String routeId)
    {
        final String id = listenerName + "/" + routeId;
        RouteCounters found = null;
        for (final RouteCounters counters : routes.get())
        {
            if (counters.routeId().equals(id))
            {
                found = counters;
            }
        }
        return found;
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        for (final Counter counter : Counter.values())
        {
            if (counter.outcome() == null)
            {
                writer.counter(counter.metricName(), counter.help()).sample(total(counter));
            }
            else
            {
                writer.counter(counter.metricName(), Counter.PEEK_OUTCOMES_HELP).sample(total(counter), "outcome", counter.outcome());
            }
        }
        final List<ListenerCounters> serving = listeners.get();
        final SnapshotWriter.Family accepted =
            writer.counter("gatehouse_connections_accepted_total", "Client connections a listener accepted.");
        final SnapshotWriter.Family closed = writer.counter("gatehouse_connections_closed_total",
            "Client connections of a listener that ended (both sockets closed), for any reason.");
        final SnapshotWriter.Family active = writer.gauge("gatehouse_connections_active",
            "Client connections of a listener open now (accepted, not yet ended).");
        final SnapshotWriter.Family toBackend = writer.counter("gatehouse_client_to_backend_bytes_total",
            "Bytes relayed from a listener's clients to backends, peeked bytes and PROXY headers included.");
        final SnapshotWriter.Family toClient =
            writer.counter("gatehouse_backend_to_client_bytes_total", "Bytes relayed from backends to a listener's clients.");
        for (final ListenerCounters listener : serving)
        {
            final String name = listener.listener();
            accepted.sample(listener.accepted(), "listener", name);
            closed.sample(listener.closed(), "listener", name);
            active.sample(listener.active(), "listener", name);
            toBackend.sample(listener.bytesClientToBackend(), "listener", name);
            toClient.sample(listener.bytesBackendToClient(), "listener", name);
        }
        final SnapshotWriter.Family closes = writer.counter("gatehouse_operator_closes_total",
            "Open connections the router closed: backend_disabled (POST /backends state=disable), route_removed (a reload"
                + " removed the route or backend and runtime.removed_route_drain passed).");
        for (final OperatorClose why : OperatorClose.values())
        {
            closes.sample(operatorCloses(why), "reason", why.name().toLowerCase(java.util.Locale.ROOT));
        }
        for (final MetricsSource policy : policies.get())
        {
            policy.writeTo(writer);
        }
        final SnapshotWriter.Family routed =
            writer.counter("gatehouse_route_connections_total", "Clients routed to a route.");
        final SnapshotWriter.Family backendConnections =
            writer.counter("gatehouse_backend_connections_total", "Relays started to a backend.");
        final SnapshotWriter.Family backendFailures =
            writer.counter("gatehouse_backend_connect_failures_by_backend_total", "Connect attempts to a backend that failed.");
        final SnapshotWriter.Family sent =
            writer.counter("gatehouse_backend_sent_bytes_total", "Bytes relayed from clients to a backend, peeked bytes included.");
        final SnapshotWriter.Family received =
            writer.counter("gatehouse_backend_received_bytes_total", "Bytes relayed from a backend to its clients.");
        final SnapshotWriter.Family operator = writer.gauge("gatehouse_backend_operator_state",
            "What POST /backends set: 0 enabled, 1 draining (no new connections), 2 disabled (no new connections, open ones closed).");
        final SnapshotWriter.Family weight = writer.gauge("gatehouse_backend_weight", "The backend's weight now (config or POST /backends).");
        final SnapshotWriter.Family peek = writer.histogram("gatehouse_peek_duration_seconds",
            "Accept to routing decision, for every peek that decided (route is empty when no route took the connection).");
        final SnapshotWriter.Family connect = writer.histogram("gatehouse_backend_connect_duration_seconds",
            "Backend connect time of the attempt that succeeded.");
        final SnapshotWriter.Family connection = writer.histogram("gatehouse_connection_duration_seconds",
            "Accept to close of every accepted connection (route is empty when no route took the connection).");
        final double[] bounds = DurationBuckets.boundsSeconds();
        final long[] cumulative = new long[DurationBuckets.COUNT];
        for (final ListenerCounters listener : serving)
        {
            unrouted(peek, listener, RouteCounters.Duration.PEEK, bounds, cumulative);
            unrouted(connection, listener, RouteCounters.Duration.CONNECTION, bounds, cumulative);
        }
        final Set<String> written = new HashSet<>();
        for (final RouteCounters route : routes.get())
        {
            if (!written.add(route.listener() + '\u0000' + route.route()))
            {
                continue;
            }
            final String listener = route.listener();
            final String name = route.route();
            routed.sample(route.routed(), "listener", listener, "route", name);
            for (int i = 0; i < route.backendCount(); i++)
            {
                final String backend = route.backendId(i);
                backendConnections.sample(route.backendConnections(i), "listener", listener, "route", name, "backend", backend);
                backendFailures.sample(route.backendConnectFailures(i), "listener", listener, "route", name, "backend", backend);
                sent.sample(route.backendBytesSent(i), "listener", listener, "route", name, "backend", backend);
                received.sample(route.backendBytesReceived(i), "listener", listener, "route", name, "backend", backend);
                operator.sample(route.operatorState(i), "listener", listener, "route", name, "backend", backend);
                weight.sample(route.weight(i), "listener", listener, "route", name, "backend", backend);
            }
            histogram(peek, route, RouteCounters.Duration.PEEK, bounds, cumulative);
            histogram(connect, route, RouteCounters.Duration.CONNECT, bounds, cumulative);
            histogram(connection, route, RouteCounters.Duration.CONNECTION, bounds, cumulative);
        }
    }

    private static void unrouted(
        final SnapshotWriter.Family family, final ListenerCounters listener, final RouteCounters.Duration duration,
        final double[] bounds, final long[] cumulative)
    {
        final long count = listener.durationCounts(duration, cumulative);
        family.histogram(bounds, cumulative, listener.durationSumSeconds(duration), count, "listener", listener.listener(), "route",
            "");
    }

    private static void histogram(
        final SnapshotWriter.Family family, final RouteCounters route, final RouteCounters.Duration duration, final double[] bounds,
        final long[] cumulative)
    {
        final long count = route.durationCounts(duration, cumulative);
        family.histogram(bounds, cumulative, route.durationSumSeconds(duration), count, "listener", route.listener(), "route",
            route.route());
    }
}
