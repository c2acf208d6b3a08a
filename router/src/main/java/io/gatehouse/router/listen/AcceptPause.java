package io.gatehouse.router.listen;

import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.metrics.Counter;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The accept back-off's rule, one per listening socket, for both kinds of listening socket (a channel's
 * {@link AcceptBackoff}, the raw {@link RawListenSocket}): when accept(2) fails (EMFILE, ENFILE, ENOBUFS:
 * the process or the host is out of descriptors or memory) the failure is counted and accepting pauses,
 * from {@link #FIRST_PAUSE_MS}, doubling per consecutive failure up to {@link #MAX_PAUSE_MS}; an accepted
 * connection resets it. One log line per episode, not per failure. The socket's owner stops and resumes
 * its accepts. Event loop thread only.
 */
final class AcceptPause
{
    static final long FIRST_PAUSE_MS = 50;
    static final long MAX_PAUSE_MS = 1_000;

    private static final Logger LOG = Logger.getLogger(AcceptBackoff.class.getName());

    private final Worker worker;
    private final String listenerName;
    private long pauseMs;
    private boolean paused;
    private long failuresThisEpisode;

    AcceptPause(final Worker worker, final String listenerName)
    {
        this.worker = worker;
        this.listenerName = listenerName;
    }

    /** A connection was accepted: the episode, if any, is over. */
    void onAccepted()
    {
        if (failuresThisEpisode > 0)
        {
            LOG.info(() -> "listener " + listenerName + ": accepting again after " + failuresThisEpisode + " accept failures");
            failuresThisEpisode = 0;
        }
        pauseMs = 0;
    }

    /**
     * An accept failed: counted; {@return the pause to start now, in milliseconds, or 0 when one already runs}
     */
    long onFailed(final IOException cause)
    {
        worker.counters().increment(Counter.ACCEPT_FAILED);
        failuresThisEpisode++;
        if (paused)
        {
            return 0;
        }
        pauseMs = pauseMs == 0 ? FIRST_PAUSE_MS : Math.min(MAX_PAUSE_MS, pauseMs * 2);
        if (failuresThisEpisode == 1)
        {
            LOG.log(Level.WARNING, "listener " + listenerName + ": accept failed (" + cause.getMessage()
                + "); pausing accepts, counted in " + Counter.ACCEPT_FAILED.metricName());
        }
        paused = true;
        return pauseMs;
    }

    boolean isPaused()
    {
        return paused;
    }

    /** The pause is over: the owner accepts again. */
    void onResumed()
    {
        paused = false;
    }
}
