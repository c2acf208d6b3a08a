package io.gatehouse.router.admin;

/**
 * Whether this process should be sent new connections, as {@code GET /ready} answers it to the load
 * balancer or routing daemon in front: {@link State#STARTING} until the first config serves, then
 * {@link State#READY}, then {@link State#DRAINING} from the start of a drain to exit. Liveness is
 * {@code /healthz}, not this.
 *
 * <p>Written by the process's main thread, read by the admin thread: one volatile field; moves only
 * forward (a draining process never becomes ready again).
 */
public final class Readiness
{
    /** The states in the order a process goes through them. */
    public enum State
    {
        STARTING,
        READY,
        DRAINING
    }

    private volatile State state = State.STARTING;

    /** The first config is serving: {@code /ready} answers 200 (ignored once draining). */
    public synchronized void ready()
    {
        if (state == State.STARTING)
        {
            state = State.READY;
        }
    }

    /** A drain starts: {@code /ready} answers 503 from now until exit. */
    public synchronized void draining()
    {
        state = State.DRAINING;
    }

    public State state()
    {
        return state;
    }

    public boolean isReady()
    {
        return state == State.READY;
    }
}
