package io.gatehouse.router.route;

/**
 * Everything the event loops route by, frozen: one {@link ListenerState} per listener slot. The router
 * publishes a new snapshot with one volatile write ({@link SnapshotRef#publish}); a connection reads the
 * current one once, at accept, and keeps it for its whole life, so a reload never changes a connection
 * mid-peek. Immutable.
 */
public final class RoutingSnapshot
{
    private final ListenerState[] bySlot;

    public RoutingSnapshot(final ListenerState[] bySlot)
    {
        this.bySlot = bySlot.clone();
    }

    /** The state of the listener in {@code slot}, or {@code null} when that listener was removed. */
    public ListenerState listener(final int slot)
    {
        return slot < bySlot.length ? bySlot[slot] : null;
    }
}
