package io.gatehouse.router.loop;

/**
 * A connection a {@link Worker} visits on its timer tick (peek deadlines, relay idle timeouts) and closes
 * on drain. Linked intrusively into at most one {@link ConnectionList} at a time; event loop thread only;
 * linking allocates nothing.
 */
public abstract class TimedConnection
{
    TimedConnection previous;
    TimedConnection next;
    ConnectionList list;

    /** Called on the timer tick with the worker's clock reading. */
    public abstract void onTick(long nowNs);

    /** Closes the connection now (drain deadline, shutdown). */
    public abstract void onForcedClose();
}
