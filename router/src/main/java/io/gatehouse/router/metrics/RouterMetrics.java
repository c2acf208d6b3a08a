package io.gatehouse.router.metrics;

import io.gatehouse.router.admin.MetricsSource;
import io.gatehouse.router.admin.PrometheusWriter;
import java.util.List;
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

    public RouterMetrics(final WorkerCounters[] workers, final Supplier<List<RouteCounters>> routes)
    {
        this(workers, routes, List::of);
    }

    /** @param policies the listeners' admission policies now serving (their rejections by reason). */
    public RouterMetrics(
        final WorkerCounters[] workers,
        final Supplier<List<RouteCounters>> routes,
        final Supplier<? extends List<? extends MetricsSource>> policies)
    {
        this.workers = workers.clone();
        this.routes = routes;
        this.policies = policies;
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

    /** Client connections open now. */
    public long activeConnections()
    {
        long sum = 0;
        for (final WorkerCounters worker : workers)
        {
            sum += worker.activeConnections();
        }
        return sum;
    }

    /** Counters of every route compiled so far (routes removed by a reload keep their last totals). */
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
    public void writeTo(final PrometheusWriter writer)
    {
        for (final Counter counter : Counter.values())
        {
            writer.counter(counter.metricName(), counter.help()).sample(total(counter));
        }
        writer.gauge("gatehouse_connections_active", "Client connections open now.").sample(activeConnections());
        final PrometheusWriter.Family routed =
            writer.counter("gatehouse_route_connections_total", "Clients routed to a route (listener/route).");
        final PrometheusWriter.Family backendConnections =
            writer.counter("gatehouse_backend_connections_total", "Relays started to a backend.");
        final PrometheusWriter.Family backendFailures =
            writer.counter("gatehouse_backend_connect_failures_by_backend_total", "Connect attempts to a backend that failed.");
        for (final MetricsSource policy : policies.get())
        {
            policy.writeTo(writer);
        }
        for (final RouteCounters route : routes.get())
        {
            routed.sample(route.routed(), "route", route.routeId());
            for (int i = 0; i < route.backendCount(); i++)
            {
                backendConnections.sample(route.backendConnections(i), "route", route.routeId(), "backend", route.backendId(i));
                backendFailures.sample(route.backendConnectFailures(i), "route", route.routeId(), "backend", route.backendId(i));
            }
        }
    }
}
