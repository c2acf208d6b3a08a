package io.gatehouse.router.connect;

import io.gatehouse.balancer.BackendPool;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.route.Route;
import io.gatehouse.router.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.Arrays;

/**
 * One client's way to a backend: each attempt connects, on the client's event loop, to the first backend
 * of {@code pool.pick(hash, rank)} for rank 0, 1, 2... that it has not tried yet; a refused or timed-out attempt is counted
 * against that backend and the next one is tried, up to {@link Route#connectAttempts()} connects; then
 * {@link ConnectOutcome#onBackendUnavailable()}. Backends already tried are skipped by index, not by
 * rank: a health change between two attempts republishes the pool, and rank 1 of the new table may be
 * the backend that failed while its rank 0 was never tried (round robin's rank 0 moves on every pick).
 *
 * <p>A failure of this host rather than of the backend (the socket cannot be created or registered:
 * EMFILE, ENFILE, ENOBUFS; its local end cannot be bound: EADDRNOTAVAIL) ends the attempts at once with
 * {@link ConnectOutcome#onLocalResourceExhausted()}, counted in {@code local_resource_failures} and
 * never against the backend: no per-backend failure, no passive ejection, no health change.
 *
 * <p>Each attempt is reported to the client's {@link Session} before it starts ({@link Session#onConnectAttempt}),
 * so the access log can say how many connects were made and to which backends, in order.
 *
 * <p>Event loop thread only. One instance per client serves as the listener of every registration and
 * connect future of that client (no allocation per attempt beyond the channel itself).
 */
public final class BackendConnector implements ChannelFutureListener, Runnable
{
    private final Worker worker;
    private final Session session;
    private final Route route;
    private final long hash;
    private final ConnectOutcome outcome;
    private int attempts;
    private long triedBelow64;
    private int[] triedFrom64;
    private int backendIndex = BackendPool.NO_BACKEND;
    private ChannelFuture registration;
    private Channel backend;
    private boolean aborted;

    private BackendConnector(final Session session, final Route route, final long hash, final ConnectOutcome outcome)
    {
        this.worker = session.worker();
        this.session = session;
        this.route = route;
        this.hash = hash;
        this.outcome = outcome;
    }

    /**
     * Starts connecting {@code session}'s client, on its worker's loop; the outcome arrives later on the same
     * loop (or at once on a synchronous failure).
     */
    public static BackendConnector connect(final Session session, final Route route, final long hash, final ConnectOutcome outcome)
    {
        final BackendConnector connector = new BackendConnector(session, route, hash, outcome);
        connector.scheduleAttempt();
        return connector;
    }

    /**
     * The next attempt, now or (on a transport that {@link Transport#registersAfterIoBatch() registers
     * after the I/O batch}) from a task, so the new socket is never handed a closed socket's events.
     */
    private void scheduleAttempt()
    {
        if (worker.transport().registersAfterIoBatch())
        {
            worker.loop().execute(this);
        }
        else
        {
            nextAttempt();
        }
    }

    /** The deferred attempt (see {@link #scheduleAttempt()}). */
    @Override
    public void run()
    {
        nextAttempt();
    }

    /** The client went away: drop the attempt in flight; no outcome is reported. */
    public void abort()
    {
        aborted = true;
        if (backend != null)
        {
            backend.close();
            backend = null;
        }
    }

    private void nextAttempt()
    {
        while (!aborted && attempts < route.connectAttempts())
        {
            final int index = untriedBackend(route.pool());
            if (index == BackendPool.NO_BACKEND)
            {
                break;
            }
            markTried(index);
            attempts++;
            session.onConnectAttempt(index);
            backendIndex = index;
            try
            {
                registration = worker.registerBackend(route.backendAddress(index));
            }
            catch (final ChannelException socketFailed)
            {
                onLocalFailure(); // socket(2) failed here, like a failed registration: never the backend's
                return;
            }
            backend = registration.channel();
            if (registration.isDone())
            {
                if (startConnect())
                {
                    return;
                }
            }
            else
            {
                registration.addListener(this);
                return;
            }
        }
        if (!aborted)
        {
            outcome.onBackendUnavailable();
        }
    }

    /**
     * The first backend in this hash's order not tried yet, walking the ranks from 0 each time: the pool
     * may have been republished since the last attempt (an ejection), and its rank 0 may be a backend
     * never tried. At most size + 1 picks.
     */
    private int untriedBackend(final BackendPool pool)
    {
        for (int rank = 0, last = pool.size(); rank <= last; rank++)
        {
            final int index = pool.pick(hash, rank);
            if (index == BackendPool.NO_BACKEND || !tried(index))
            {
                return index;
            }
        }
        return BackendPool.NO_BACKEND;
    }

    private boolean tried(final int index)
    {
        if (index < 64)
        {
            return (triedBelow64 & (1L << index)) != 0;
        }
        if (triedFrom64 != null)
        {
            for (final int tried : triedFrom64)
            {
                if (tried == index)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private void markTried(final int index)
    {
        if (index < 64)
        {
            triedBelow64 |= 1L << index;
            return;
        }
        if (triedFrom64 == null)
        {
            triedFrom64 = new int[] {index};
            return;
        }
        final int[] grown = Arrays.copyOf(triedFrom64, triedFrom64.length + 1);
        grown[triedFrom64.length] = index;
        triedFrom64 = grown;
    }

    private boolean startConnect()
    {
        if (!registration.isSuccess())
        {
            onLocalFailure();
            return true;
        }
        backend.config().setConnectTimeoutMillis(route.connectTimeoutMs());
        backend.connect(route.backendAddress(backendIndex)).addListener(this);
        return true;
    }

    @Override
    public void operationComplete(final ChannelFuture future)
    {
        if (aborted)
        {
            future.channel().close();
            return;
        }
        if (future == registration)
        {
            if (!startConnect())
            {
                scheduleAttempt();
            }
            return;
        }
        if (future.isSuccess())
        {
            if (route.health() != null)
            {
                route.health().onConnectSuccess(backendIndex);
            }
            final Channel connected = backend;
            backend = null;
            outcome.onBackendConnected(connected, backendIndex);
        }
        else if (isLocalFailure(future.cause()))
        {
            onLocalFailure();
        }
        else
        {
            onAttemptFailed();
            scheduleAttempt();
        }
    }

    /**
     * True for a connect that failed for want of a local resource: no local address or port
     * (EADDRNOTAVAIL, the kernel's "Cannot assign requested address"), or no descriptor or buffer.
     */
    static boolean isLocalFailure(final Throwable cause)
    {
        for (Throwable at = cause; at != null; at = at.getCause())
        {
            final String message = at.getMessage();
            if (at instanceof java.net.BindException || message != null && (message.contains("Cannot assign requested address")
                || message.contains("Too many open files") || message.contains("No buffer space available")))
            {
                return true;
            }
        }
        return false;
    }

    /** This host's failure: counted as such, never against the backend; no more attempts. */
    private void onLocalFailure()
    {
        worker.counters().increment(Counter.LOCAL_RESOURCE);
        if (backend != null)
        {
            backend.close();
            backend = null;
        }
        aborted = true;
        outcome.onLocalResourceExhausted();
    }

    private void onAttemptFailed()
    {
        worker.counters().increment(Counter.CONNECT_FAILED);
        route.counters().onBackendConnectFailed(worker.index(), backendIndex);
        if (route.health() != null)
        {
            route.health().onConnectFailure(backendIndex);
        }
        if (backend != null)
        {
            backend.close();
            backend = null;
        }
    }
}
