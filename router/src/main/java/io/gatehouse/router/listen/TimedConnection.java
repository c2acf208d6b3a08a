package io.gatehouse.router.listen;

import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A connection-stage handler that a {@link Worker} visits on its timer tick (peek deadlines, relay idle
 * timeouts) and closes on drain. Linked intrusively into one {@link ConnectionList}; event loop thread
 * only; linking allocates nothing.
 */
public abstract class TimedConnection extends ChannelInboundHandlerAdapter
{
    TimedConnection previous;
    TimedConnection next;
    ConnectionList list;

    /** Called on the timer tick with the worker's clock reading. */
    public abstract void onTick(long nowNs);

    /** Closes the connection now (drain deadline, shutdown). */
    public abstract void onForcedClose();
}
