package io.gatehouse.router.metrics;

/**
 * Connections per route and per backend of that route, plus connect failures per backend, one slice per
 * event loop (each loop writes only its own slice, with ordered stores; readers sum with acquire loads). Kept by route id across
 * reloads while the route's backend list is unchanged, so a reload does not reset the totals.
 * Allocation-free after construction.
 */
public final class RouteCounters
{
    private static final java.lang.invoke.VarHandle SLOT = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD_LONGS = 8;

    private final String routeId;
    private final String[] backendIds;
    private final int stride;
    private final long[][] slices;

    public RouteCounters(final String routeId, final String[] backendIds, final int workerCount)
    {
        this.routeId = routeId;
        this.backendIds = backendIds.clone();
        this.stride = backendIds.length;
        this.slices = new long[workerCount][];
        for (int i = 0; i < workerCount; i++)
        {
            slices[i] = new long[PAD_LONGS + 1 + 2 * stride + PAD_LONGS];
        }
    }

    public String routeId()
    {
        return routeId;
    }

    public int backendCount()
    {
        return stride;
    }

    public String backendId(final int backendIndex)
    {
        return backendIds[backendIndex];
    }

    /** Event loop {@code workerIndex} only: a client was routed here. */
    public void onRouted(final int workerIndex)
    {
        bump(slices[workerIndex], PAD_LONGS);
    }

    /** Event loop {@code workerIndex} only: a relay to this backend started. */
    public void onBackendConnected(final int workerIndex, final int backendIndex)
    {
        bump(slices[workerIndex], PAD_LONGS + 1 + backendIndex);
    }

    /** Event loop {@code workerIndex} only: a connect to this backend was refused or timed out. */
    public void onBackendConnectFailed(final int workerIndex, final int backendIndex)
    {
        bump(slices[workerIndex], PAD_LONGS + 1 + stride + backendIndex);
    }

    /** The owning loop's plain read of its own slot, then an ordered (release) store. */
    private static void bump(final long[] slice, final int slot)
    {
        SLOT.setRelease(slice, slot, slice[slot] + 1);
    }

    /** Any thread. */
    public long routed()
    {
        long sum = 0;
        for (final long[] slice : slices)
        {
            sum += (long)SLOT.getAcquire(slice, PAD_LONGS);
        }
        return sum;
    }

    /** Any thread. */
    public long backendConnections(final int backendIndex)
    {
        long sum = 0;
        for (final long[] slice : slices)
        {
            sum += (long)SLOT.getAcquire(slice, PAD_LONGS + 1 + backendIndex);
        }
        return sum;
    }

    /** Any thread. */
    public long backendConnectFailures(final int backendIndex)
    {
        long sum = 0;
        for (final long[] slice : slices)
        {
            sum += (long)SLOT.getAcquire(slice, PAD_LONGS + 1 + stride + backendIndex);
        }
        return sum;
    }
}
