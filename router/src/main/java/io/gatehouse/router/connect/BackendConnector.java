package io.gatehouse.router.connect;

import io.gatehouse.balancer.BackendPool;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.relay.RawBackendSocket;
import io.gatehouse.router.relay.RelayStarter;
import io.gatehouse.router.route.Route;
import io.gatehouse.router.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

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
 * <p>Each attempt's socket is a Netty channel, or, where the relay will run on raw sockets (epoll, the
 * client's first bytes screened), a {@link RawBackendSocket}: no channel, no pipeline, registered once
 * for the connect and adopted by the relay as it is. Either way the same rules apply, in this one class:
 * the order of attempts, what counts against a backend, what is this host's failure, and the connect
 * timeout, which {@link #onTick} checks on the worker's tick (as every other timeout of a connection is
 * checked), never a timer per attempt.
 *
 * <p>Event loop thread only. One instance per client serves as the listener of every registration and
 * connect future of that client (no allocation per attempt beyond the socket itself).
 */
public final class BackendConnector implements ChannelFutureListener, Runnable, RawBackendSocket.Listener
{
    /** {@code -Dgatehouse.connect.channel=true}: every backend socket a Netty channel (to measure the difference). */
    private static final boolean CHANNELS_ONLY = Boolean.getBoolean("gatehouse.connect.channel");

    private final Worker worker;
    private final Session session;
    private final Route route;
    private final long hash;
    private final ConnectOutcome outcome;
    private final boolean raw;
    private final long timeoutNs;
    private int attempts;
    private long triedBelow64;
    private int[] triedFrom64;
    private int backendIndex = BackendPool.NO_BACKEND;
    private ChannelFuture registration;
    private Channel backend;
    private RawBackendSocket rawBackend;
    /** When the connect in flight started ({@link Worker#nowNs()}); meaningful while a socket is held. */
    private long connectStartNs;
    private boolean aborted;

    private BackendConnector(final Session session, final Route route, final long hash, final ConnectOutcome outcome, final boolean raw)
    {
        this.worker = session.worker();
        this.session = session;
        this.route = route;
        this.hash = hash;
        this.outcome = outcome;
        this.raw = !CHANNELS_ONLY && RelayStarter.runsOnRawSockets(worker, !raw);
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(route.connectTimeoutMs());
    }

    /**
     * Starts connecting {@code session}'s client, on its worker's loop; the outcome arrives later on the same
     * loop (or at once on a synchronous failure).
     *
     * @param raw the client's relay need not copy (its bytes were screened): where the relay then runs on the
     *            raw sockets ({@link RelayStarter#runsOnRawSockets}) the backend gets a {@link RawBackendSocket}
     *            and the outcome is {@link ConnectOutcome#onBackendConnected(RawBackendSocket, int)}.
     */
    public static BackendConnector connect(
        final Session session, final Route route, final long hash, final ConnectOutcome outcome, final boolean raw)
    {
        final BackendConnector connector = new BackendConnector(session, route, hash, outcome, raw);
        connector.scheduleAttempt();
        return connector;
    }

    /**
     * The worker's tick while connecting: an attempt that has not connected within the route's
     * {@code connect_timeout} fails (counted against its backend) and the next one starts.
     */
    public void onTick(final long nowNs)
    {
        if (!aborted && (backend != null || rawBackend != null) && nowNs - connectStartNs - timeoutNs >= 0)
        {
            onAttemptFailed();
            scheduleAttempt();
        }
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
        closeAttempt();
    }

    /**
     * Closes the attempt's socket, forgetting it first: closing a connecting channel fails its connect future
     * at once, and its listener (this) must find the attempt already given up.
     */
    private void closeAttempt()
    {
        final Channel channel = backend;
        final RawBackendSocket raw = rawBackend;
        backend = null;
        rawBackend = null;
        if (channel != null)
        {
            channel.close();
        }
        if (raw != null)
        {
            raw.close();
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
            connectStartNs = worker.nowNs();
            if (raw)
            {
                if (startRawConnect())
                {
                    return;
                }
                continue;
            }
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
        backend.config().setConnectTimeoutMillis(0); // the tick's (onTick), not a timer of Netty's per connect
        backend.connect(route.backendAddress(backendIndex)).addListener(this);
        return true;
    }

    /**
     * A channel-less connect to the current backend: true when it is under way (or this host failed and
     * the attempts ended), false when it failed at once against the backend (try the next).
     */
    private boolean startRawConnect()
    {
        try
        {
            rawBackend = RawBackendSocket.connect(worker.loop(), route.backendAddress(backendIndex), this);
            return true;
        }
        catch (final IOException failed)
        {
            if (isLocalFailure(failed))
            {
                onLocalFailure();
                return true;
            }
            onAttemptFailed();
            return false;
        }
    }

    @Override
    public void onConnected(final RawBackendSocket socket)
    {
        if (aborted || socket != rawBackend)
        {
            socket.close();
            return;
        }
        rawBackend = null;
        onConnectSucceeded();
        outcome.onBackendConnected(socket, backendIndex);
    }

    @Override
    public void onConnectFailed(final RawBackendSocket socket, final IOException cause)
    {
        if (aborted || socket != rawBackend)
        {
            return;
        }
        rawBackend = null; // closed already
        onConnectFailed(cause);
    }

    @Override
    public void operationComplete(final ChannelFuture future)
    {
        if (aborted || future.channel() != backend)
        {
            // given up (the client left, or the tick timed the attempt out and closed its channel)
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
            final Channel connected = backend;
            backend = null;
            onConnectSucceeded();
            outcome.onBackendConnected(connected, backendIndex);
        }
        else
        {
            onConnectFailed(future.cause());
        }
    }

    /** The attempt's socket connected (either kind): the backend's health hears it. */
    private void onConnectSucceeded()
    {
        if (route.health() != null)
        {
            route.health().onConnectSuccess(backendIndex);
        }
    }

    /** The attempt's connect failed (either kind): this host's failure ends the attempts, else the next one starts. */
    private void onConnectFailed(final Throwable cause)
    {
        if (isLocalFailure(cause))
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
        closeAttempt();
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
        closeAttempt();
    }
}
