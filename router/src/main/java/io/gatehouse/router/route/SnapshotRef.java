package io.gatehouse.router.route;

/**
 * The one volatile reference through which every event loop sees the current {@link RoutingSnapshot}.
 * The control thread publishes; event loops read (one volatile read per accepted connection).
 */
public final class SnapshotRef
{
    private volatile RoutingSnapshot current;

    public SnapshotRef(final RoutingSnapshot initial)
    {
        this.current = initial;
    }

    public RoutingSnapshot current()
    {
        return current;
    }

    /** Control thread: makes {@code next} what every connection accepted from now on uses. */
    public void publish(final RoutingSnapshot next)
    {
        current = next;
    }
}
