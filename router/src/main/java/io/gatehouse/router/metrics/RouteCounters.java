package io.gatehouse.router.metrics;

/**
 * Per route and per backend of that route: connections routed, relays started, connect failures, bytes each
 * way, and three duration histograms (peek, backend connect, whole connection) of the connections sent to
 * this route (relayed or not; the connect histogram only has relayed ones), recorded at the session's end, one slice per event loop (each loop writes only its own slice, with ordered
 * stores; readers sum with acquire loads). A route keeps its counters across
 * reloads while its id and backend list are unchanged (see {@code RouteCompiler}); metrics render only the
 * counters of routes that serve, so a changed or removed route's series disappear with it.
 * Allocation-free after construction.
 */
public final class RouteCounters
{
    /** The duration histograms kept per route. */
    public enum Duration
    {
        /** Accept to the routing decision. */
        PEEK,
        /** Connect start to the backend connection's establishment (the attempt that succeeded). */
        CONNECT,
        /** Accept to close, for relayed connections. */
        CONNECTION
    }

    private static final java.lang.invoke.VarHandle SLOT = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD_LONGS = 8;
    private static final int PER_BACKEND = 4;
    private static final int HISTOGRAM_LONGS = DurationBuckets.COUNT + 2;

    private final String listener;
    private final String route;
    private final String[] backendIds;
    private final java.util.List<String> backendIdList;
    private final int stride;
    private final int histogramBase;
    private final long[][] slices;
    private final java.util.concurrent.atomic.AtomicIntegerArray operatorState;
    private final java.util.concurrent.atomic.AtomicIntegerArray weight;

    /**
     * @param listener   the listener's name.
     * @param route      the route's id (its first hostname).
     * @param backendIds the backends as {@code host:port}, in the route's order.
     */
    public RouteCounters(final String listener, final String route, final String[] backendIds, final int workerCount)
    {
        this.listener = listener;
        this.route = route;
        this.backendIds = backendIds.clone();
        this.backendIdList = java.util.List.of(this.backendIds);
        this.stride = backendIds.length;
        this.histogramBase = PAD_LONGS + 1 + PER_BACKEND * stride;
        this.operatorState = new java.util.concurrent.atomic.AtomicIntegerArray(stride);
        this.weight = new java.util.concurrent.atomic.AtomicIntegerArray(stride);
        this.slices = new long[workerCount][];
        for (int i = 0; i < workerCount; i++)
        {
            slices[i] = new long[histogramBase + Duration.values().length * HISTOGRAM_LONGS + PAD_LONGS];
        }
    }

    /** {@code listener/route}. */
    public String routeId()
    {
        return listener + "/" + route;
    }

    public String listener()
    {
        return listener;
    }

    public String route()
    {
        return route;
    }

    public int backendCount()
    {
        return stride;
    }

    public String backendId(final int backendIndex)
    {
        return backendIds[backendIndex];
    }

    /** The backends as {@code host:port}, in the route's order: one immutable list, shared (the access log reads it). */
    public java.util.List<String> backendIds()
    {
        return backendIdList;
    }

    /**
     * Control thread: what the operator set for a backend (0 enabled, 1 draining, 2 disabled) and its weight
     * now, for metrics. Written at each reload for every backend and at each {@code POST /backends}.
     */
    public void onOperatorState(final int backendIndex, final int state, final int backendWeight)
    {
        operatorState.set(backendIndex, state);
        weight.set(backendIndex, backendWeight);
    }

    /** Any thread: 0 enabled, 1 draining, 2 disabled. */
    public int operatorState(final int backendIndex)
    {
        return operatorState.get(backendIndex);
    }

    /** Any thread: the backend's weight now (0 before the router first published it). */
    public int weight(final int backendIndex)
    {
        return weight.get(backendIndex);
    }

    /** Event loop {@code workerIndex} only: a client was routed here. */
    public void onRouted(final int workerIndex)
    {
        bump(slices[workerIndex], PAD_LONGS, 1);
    }

    /** Event loop {@code workerIndex} only: a relay to this backend started. */
    public void onBackendConnected(final int workerIndex, final int backendIndex)
    {
        bump(slices[workerIndex], PAD_LONGS + 1 + backendIndex, 1);
    }

    /** Event loop {@code workerIndex} only: a connect to this backend was refused or timed out. */
    public void onBackendConnectFailed(final int workerIndex, final int backendIndex)
    {
        bump(slices[workerIndex], PAD_LONGS + 1 + stride + backendIndex, 1);
    }

    /**
     * Event loop {@code workerIndex} only, once per connection sent to this route, at its end (the session's
     * one close): its bytes through this backend when it was relayed ({@code backendIndex} 0 or more; a
     * negative one records no bytes) and its peek, connect and whole durations (a negative duration, a
     * stage it never timed, is not recorded).
     */
    public void onSessionEnd(
        final int workerIndex, final int backendIndex, final long clientToBackend, final long backendToClient, final long peekNs,
        final long connectNs, final long connectionNs)
    {
        final long[] slice = slices[workerIndex];
        if (backendIndex >= 0)
        {
            bump(slice, PAD_LONGS + 1 + 2 * stride + backendIndex, clientToBackend);
            bump(slice, PAD_LONGS + 1 + 3 * stride + backendIndex, backendToClient);
        }
        onDuration(slice, Duration.PEEK, peekNs);
        onDuration(slice, Duration.CONNECT, connectNs);
        onDuration(slice, Duration.CONNECTION, connectionNs);
    }

    private void onDuration(final long[] slice, final Duration duration, final long durationNs)
    {
        if (durationNs < 0)
        {
            return;
        }
        final int base = histogramBase + duration.ordinal() * HISTOGRAM_LONGS;
        bump(slice, base + DurationBuckets.bucketOf(durationNs), 1);
        bump(slice, base + DurationBuckets.COUNT + 1, durationNs);
    }

    /** Any thread. */
    public long routed()
    {
        return sum(PAD_LONGS);
    }

    /** Any thread. */
    public long backendConnections(final int backendIndex)
    {
        return sum(PAD_LONGS + 1 + backendIndex);
    }

    /** Any thread. */
    public long backendConnectFailures(final int backendIndex)
    {
        return sum(PAD_LONGS + 1 + stride + backendIndex);
    }

    /** Any thread: bytes from clients to this backend. */
    public long backendBytesSent(final int backendIndex)
    {
        return sum(PAD_LONGS + 1 + 2 * stride + backendIndex);
    }

    /** Any thread: bytes from this backend to clients. */
    public long backendBytesReceived(final int backendIndex)
    {
        return sum(PAD_LONGS + 1 + 3 * stride + backendIndex);
    }

    /**
     * Any thread: the cumulative count at each of {@link DurationBuckets}' finite bounds, written into
     * {@code cumulative} (length {@link DurationBuckets#COUNT}); returns the total count. The sum in seconds is
     * {@link #durationSumSeconds}.
     */
    public long durationCounts(final Duration duration, final long[] cumulative)
    {
        final int base = histogramBase + duration.ordinal() * HISTOGRAM_LONGS;
        return DurationBuckets.cumulate(this::sum, base, cumulative);
    }

    /** Any thread: the sum of every observation of {@code duration}, in seconds. */
    public double durationSumSeconds(final Duration duration)
    {
        return sum(histogramBase + duration.ordinal() * HISTOGRAM_LONGS + DurationBuckets.COUNT + 1) / 1e9;
    }

    /** The owning loop's plain read of its own slot, then an ordered (release) store. */
    private static void bump(final long[] slice, final int slot, final long delta)
    {
        SLOT.setRelease(slice, slot, slice[slot] + delta);
    }

    private long sum(final int index)
    {
        long total = 0;
        for (final long[] slice : slices)
        {
            total += (long)SLOT.getAcquire(slice, index);
        }
        return total;
    }
}
