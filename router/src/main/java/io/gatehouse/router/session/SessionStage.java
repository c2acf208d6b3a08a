package io.gatehouse.router.session;

/**
 * The stage a {@link Session} is in that its worker's tick must reach: the peek (its deadline, the
 * server-first delay) or a relay (its idle and half-closed timeouts). Event loop thread only.
 */
public interface SessionStage
{
    /** The worker's timer tick, with its clock reading. */
    void onTick(long nowNs);
}
