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
    private final ConnectionRecord record;
    private final org.agrona.concurrent.NanoClock clock;

    /** @param record the connection's access log record, or {@code null} when there is no access log. */
    public RelayCounting(
        final WorkerCounters counters,
        final Route route,
        final int backendIndex,
        final ConnectionRecord record,
        final org.agrona.concurrent.NanoClock clock)
    {
        this.counters = counters;
        this.route = route;
        this.backendIndex = backendIndex;
        this.record = record;
        this.clock = clock;
    }

    @Override
    public void onBytes(final long clientToBackend, final long backendToClient)
    {
        counters.add(Counter.BYTES_CLIENT_TO_BACKEND, clientToBackend);
        counters.add(Counter.BYTES_BACKEND_TO_CLIENT, backendToClient);
        if (record != null)
        {
            record.onBytes(clientToBackend, backendToClient);
        }
    }

    @Override
    public void onClosed(final String reason)
    {
        switch (reason)
        {
            case "reset":
            case "error":
                counters.increment(Counter.RELAY_RESET);
                break;
            case "idle":
                counters.increment(Counter.RELAY_IDLE_TIMEOUT);
                break;
            default:
                break;
        }
        route.pool().onConnectionClosed(backendIndex);
        if (record != null)
        {
            record.close(clock.nanoTime(), endWord(reason));
        }
    }

    private static String endWord(final String reason)
    {
        switch (reason)
        {
            case "client_eof":
                return "client_closed";
            case "backend_eof":
                return "backend_closed";
            case "idle":
                return "idle_timeout";
            case "shutdown":
                return "drain";
            default:
                return reason;
        }
    }
}
