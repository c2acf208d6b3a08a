package io.gatehouse.router.metrics;

import java.util.List;
import java.util.function.Supplier;

/**
 * The router's counters as any thread reads them: each value is the sum of the per-loop slices. Reads
 * are plain (a value may be a few increments behind); nothing here is written.
 */
public final class RouterMetrics
{
    private final WorkerCounters[] workers;
    private final Supplier<List<RouteCounters>> routes;

    public RouterMetrics(final WorkerCounters[] workers, final Supplier<List<RouteCounters>> routes)
    {
        this.workers = workers.clone();
        this.routes = routes;
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
}
