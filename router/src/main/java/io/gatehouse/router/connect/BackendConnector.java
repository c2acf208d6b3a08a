package io.gatehouse.router.connect;

import io.gatehouse.balancer.BackendPool;
import io.gatehouse.router.listen.Worker;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.route.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

/**
 * One client's way to a backend: attempt {@code n} connects to {@code pool.pick(hash, n)} on the client's
 * event loop; a refused or timed-out attempt is counted against that backend and the next one is tried,
 * up to {@link Route#connectAttempts()}; then {@link ConnectOutcome#onBackendUnavailable()}.
 *
 * <p>Event loop thread only. One instance per client serves as the listener of every registration and
 * connect future of that client (no allocation per attempt beyond the channel itself).
 */
public final class BackendConnector implements ChannelFutureListener
{
    private final Worker worker;
    private final Route route;
    private final long hash;
    private final ConnectOutcome outcome;
    private int attempt;
    private int backendIndex = BackendPool.NO_BACKEND;
    private ChannelFuture registration;
    private Channel backend;
    private boolean aborted;

    private BackendConnector(final Worker worker, final Route route, final long hash, final ConnectOutcome outcome)
    {
        this.worker = worker;
        this.route = route;
        this.hash = hash;
        this.outcome = outcome;
    }

    /** Starts connecting; the outcome arrives later on the same loop (or at once on a synchronous failure). */
    public static BackendConnector connect(final Worker worker, final Route route, final long hash, final ConnectOutcome outcome)
    {
        final BackendConnector connector = new BackendConnector(worker, route, hash, outcome);
        connector.nextAttempt();
        return connector;
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
        while (!aborted && attempt < route.connectAttempts())
        {
            final int index = route.pool().pick(hash, attempt++);
            if (index == BackendPool.NO_BACKEND)
            {
                break;
            }
            backendIndex = index;
            registration = worker.registerBackend();
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

    private boolean startConnect()
    {
        if (!registration.isSuccess())
        {
            onAttemptFailed();
            return false;
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
                nextAttempt();
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
        else
        {
            onAttemptFailed();
            nextAttempt();
        }
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
