package io.gatehouse.router.metrics;

import io.gatehouse.router.relay.RelayObserver;
import io.gatehouse.router.route.Route;

/**
 * Feeds one relay's events into its loop's {@link WorkerCounters} and tells the route's pool when the
 * backend connection ends (least-connection balancing). One per relayed connection; event loop thread
 * only; allocation-free.
 */
public final class RelayCounting implements RelayObserver
{
    private final WorkerCounters counters;
    private final Route route;
    private final int backendIndex;

    public RelayCounting(final WorkerCounters counters, final Route route, final int backendIndex)
    {
        this.counters = counters;
        this.route = route;
        this.backendIndex = backendIndex;
    }

    @Override
    public void onBytesToBackend(final long bytes)
    {
        counters.add(Counter.BYTES_CLIENT_TO_BACKEND, bytes);
    }

    @Override
    public void onBytesToClient(final long bytes)
    {
        counters.add(Counter.BYTES_BACKEND_TO_CLIENT, bytes);
    }

    @Override
    public void onRelayClosed(final boolean reset)
    {
        if (reset)
        {
            counters.increment(Counter.RELAY_RESET);
        }
        route.pool().onConnectionClosed(backendIndex);
    }
}
