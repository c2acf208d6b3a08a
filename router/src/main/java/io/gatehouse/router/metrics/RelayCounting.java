package io.gatehouse.router.metrics;

import io.gatehouse.router.relay.RelayObserver;
import io.gatehouse.router.route.Route;

/**
 * Feeds one relay's events into its loop's {@link WorkerCounters} and its route's {@link RouteCounters}
 * (bytes per backend; at the end, the peek, connect and connection durations), and tells the route's pool
 * when the backend connection ends (least-connection balancing). One per relayed connection; event loop
 * thread only; allocation-free.
 */
public final class RelayCounting implements RelayObserver
{
    private final WorkerCounters counters;
    private final Route route;
    private final int backendIndex;
    private final ConnectionRecord record;
    private final org.agrona.concurrent.NanoClock clock;
    private final int workerIndex;
    private final long acceptedNs;

    /**
     * @param record       the connection's access log record, or {@code null} when there is no access log.
     * @param clock        the loop's clock (the connection's end time).
     * @param workerIndex  the loop's index (its slice of the route's counters).
     * @param acceptedNs   when the client connection was accepted, on {@code clock}.
     * @param decidedNs    when the peek decided the route.
     * @param connectStartNs when the backend connect started.
     * @param connectedNs  when the backend connection was established.
     */
    public RelayCounting(
        final WorkerCounters counters,
        final Route route,
        final int backendIndex,
        final ConnectionRecord record,
        final org.agrona.concurrent.NanoClock clock,
        final int workerIndex,
        final long acceptedNs,
        final long decidedNs,
        final long connectStartNs,
        final long connectedNs)
    {
        this.counters = counters;
        this.route = route;
        this.backendIndex = backendIndex;
        this.record = record;
        this.clock = clock;
        this.workerIndex = workerIndex;
        this.acceptedNs = acceptedNs;
        route.counters().onDuration(workerIndex, RouteCounters.Duration.PEEK, decidedNs - acceptedNs);
        route.counters().onDuration(workerIndex, RouteCounters.Duration.CONNECT, connectedNs - connectStartNs);
    }

    @Override
    public void onBytes(final long clientToBackend, final long backendToClient)
    {
        counters.add(Counter.BYTES_CLIENT_TO_BACKEND, clientToBackend);
        counters.add(Counter.BYTES_BACKEND_TO_CLIENT, backendToClient);
        route.counters().onBytes(workerIndex, backendIndex, clientToBackend, backendToClient);
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
        final long nowNs = clock.nanoTime();
        route.counters().onDuration(workerIndex, RouteCounters.Duration.CONNECTION, nowNs - acceptedNs);
        if (record != null)
        {
            record.close(nowNs, endWord(reason));
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
