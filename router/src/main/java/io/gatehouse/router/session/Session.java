package io.gatehouse.router.session;

import io.gatehouse.balancer.BackendPool;
import io.gatehouse.router.loop.ConnectionList;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.loop.TimedConnection;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.log.AccessLog;
import io.gatehouse.router.log.AccessLogEntry;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.metrics.ListenerCounters;
import io.gatehouse.router.metrics.WorkerCounters;
import io.gatehouse.router.policy.AdmissionPolicy;
import io.gatehouse.router.route.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One accepted client connection, from accept to the close of its last socket: everything the router
 * knows about it and the one place it ends.
 *
 * <p>Each stage writes what it learns here (the PROXY header's client address, the peek's protocol,
 * name and ALPN, the route, the backend), the relay adds the bytes it moves. Every end event goes
 * through {@link #noteEnd(EndReason)} (first one wins, see {@link EndReason}) or {@link #close(EndReason)}
 * (note it, then close both sockets now). When the client channel and, if one was attached, the backend
 * channel have both closed, the session ends exactly once: it leaves its worker's list, counts its end,
 * tells the route's pool the backend connection is gone (least connections), records its durations
 * (in its route's histograms, or its listener's when no route took it) and offers its access log line.
 * Nothing else counts a connection's end. Its listener's accepted count is taken here too, at construction,
 * so accepted less ended is exactly what is open.
 *
 * <p>While peeking the session sits on its worker's {@code peeking} list, once relayed on its
 * {@code relaying} list; the worker's tick reaches its {@link SessionStage} through {@link #onTick},
 * the drain deadline through {@link #onForcedClose()}.
 *
 * <p>The client and the backend are each a Netty channel, whose close future it listens on, or a
 * channel-less {@link SocketEnd} (the raw relay's, on epoll), which reports its close once; the session's
 * end rule is the same for both.
 *
 * <p>Thread: the client channel's event loop, which also owns the backend socket. Not thread-safe.
 * Allocates itself at accept and, only with an access log, one {@code int[]} of the backends tried (at
 * the first connect attempt, sized for the route's attempts) and the access log entry at the end.
 */
public final class Session extends TimedConnection implements ChannelFutureListener, SocketEnd.Closed
{
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final Worker worker;
    private final WorkerCounters counters;
    private final ListenerCounters.Slice listenerCounters;
    private final ListenerState listener;
    /** The client's channel, or {@code null} with {@link #clientSocket}. */
    private final Channel client;
    /** The client's channel-less socket ({@link SocketEnd}), or {@code null} with {@link #client}. */
    private final SocketEnd clientSocket;
    private boolean clientOpen = true;
    private final InetSocketAddress local;
    private final AccessLog log;
    private final long acceptedNs;
    private InetSocketAddress clientAddress;
    private SessionStage stage;
    private String protocol;
    private String name;
    private String alpn;
    private Route route;
    private int backendIndex = BackendPool.NO_BACKEND;
    private Channel backend;
    /** The backend's channel-less socket ({@link SocketEnd}), or null. */
    private SocketEnd backendSocket;
    /** A backend (channel or socket) was attached and has not closed yet. */
    private boolean backendOpen;
    private InetSocketAddress upstreamLocal;
    private int connectAttempts;
    private int[] backendsTried;
    private boolean relayed;
    private long decidedNs = -1;
    private long connectStartNs = -1;
    private long connectedNs = -1;
    private long bytesClientToBackend;
    private long bytesBackendToClient;
    private EndReason endReason;
    private boolean ended;
    /** The policy that admitted this connection, owed a release when the client channel closes; or null. */
    private AdmissionPolicy admittedBy;
    private InetAddress admittedSource;

    public Session(
        final Worker worker, final ListenerState listener, final Channel client, final InetSocketAddress remote, final InetSocketAddress local)
    {
        this(worker, listener, client, null, remote, local);
        client.closeFuture().addListener(this);
    }

    /** A client with no channel (on epoll): its close joins the session's end through {@link SocketEnd#onClosed}. */
    public Session(
        final Worker worker, final ListenerState listener, final SocketEnd client, final InetSocketAddress remote, final InetSocketAddress local)
    {
        this(worker, listener, null, client, remote, local);
        client.onClosed(this);
    }

    private Session(
        final Worker worker,
        final ListenerState listener,
        final Channel client,
        final SocketEnd clientSocket,
        final InetSocketAddress remote,
        final InetSocketAddress local)
    {
        this.worker = worker;
        this.counters = worker.counters();
        this.listenerCounters = listener.counters().slice(worker.index());
        this.listener = listener;
        this.client = client;
        this.clientSocket = clientSocket;
        this.clientAddress = remote;
        this.local = local;
        this.log = worker.accessLog();
        this.acceptedNs = worker.nowNs();
        listenerCounters.onAccepted();
    }

    /** Unique within this process, in accept order per loop: the access log's {@code id}. */
    public long id()
    {
        return id;
    }

    public Worker worker()
    {
        return worker;
    }

    /** The listener that accepted it (its name is the metrics' {@code listener}). */
    public ListenerState listener()
    {
        return listener;
    }

    /** The client: the PROXY header's source when a trusted one was read, else the TCP peer. */
    public InetSocketAddress clientAddress()
    {
        return clientAddress;
    }

    /** The local (listening) address the client connected to. */
    public InetSocketAddress localAddress()
    {
        return local;
    }

    /** The route chosen, or {@code null} before routing (or when none matched). */
    public Route route()
    {
        return route;
    }

    /** The backend's index in {@link #route()}'s list, or {@link BackendPool#NO_BACKEND}. */
    public int backendIndex()
    {
        return backendIndex;
    }

    /** The backend's configured address, or {@code null} before a backend connected. */
    public InetSocketAddress backendAddress()
    {
        return route != null && backendIndex != BackendPool.NO_BACKEND ? route.backendAddress(backendIndex) : null;
    }

    /** Backend connects started so far (each counts against the route's {@code connect_attempts}). */
    public int connectAttempts()
    {
        return connectAttempts;
    }

    /** The backend channel once connected, else {@code null}. */
    public Channel backend()
    {
        return backend;
    }

    /** True once the relay started (a backend connection is counted open in its pool). */
    public boolean isRelayed()
    {
        return relayed;
    }

    /** The first end event noted so far, or {@code null}. */
    public EndReason endReason()
    {
        return endReason;
    }

    public boolean hasEnded()
    {
        return ended;
    }

    public long bytesClientToBackend()
    {
        return bytesClientToBackend;
    }

    public long bytesBackendToClient()
    {
        return bytesBackendToClient;
    }

    /** Whether an access log line will be written (stages copy names out of the parser only then). */
    public boolean isLogged()
    {
        return log != null;
    }

    /** The peek starts: the session is on the worker's peeking list, ticked through {@code peek}. */
    public void onPeeking(final SessionStage peek)
    {
        stage = peek;
        worker.peeking().add(this);
    }

    /** A trusted PROXY header named the client. */
    public void onClientAddress(final InetSocketAddress address)
    {
        clientAddress = address;
    }

    /** The peek decided (only with an access log: protocol {@code tls}/{@code http1}/{@code h2c}, name, ALPN, or nulls). */
    public void onDecided(final long nowNs, final String protocolText, final String nameText, final String alpnText)
    {
        decidedNs = nowNs;
        protocol = protocolText;
        name = nameText;
        alpn = alpnText;
    }

    /** The peek decided without an access log (only the time). */
    public void onDecided(final long nowNs)
    {
        decidedNs = nowNs;
    }

    /** Connecting to {@code target}'s backends starts. */
    public void onConnecting(final long nowNs, final Route target)
    {
        connectStartNs = nowNs;
        route = target;
        target.counters().onRouted(worker.index());
    }

    /**
     * A connect to backend {@code index} of the route starts (called by the connector before each attempt).
     * With an access log the index is kept for its {@code backends_tried}: in an {@code int[]} allocated at
     * the first attempt, none after.
     */
    public void onConnectAttempt(final int index)
    {
        if (log != null)
        {
            if (backendsTried == null)
            {
                backendsTried = new int[Math.max(1, Math.min(route.connectAttempts(), route.counters().backendCount()))];
            }
            if (connectAttempts < backendsTried.length)
            {
                backendsTried[connectAttempts] = index;
            }
        }
        connectAttempts++;
    }

    /**
     * A backend connected and the relay takes both channels: counted open in the route's pool and per
     * backend, the backend channel's close joins the session's end.
     */
    public void onRelayStarted(final long nowNs, final Channel backendChannel, final int index)
    {
        backend = backendChannel;
        relayStarted(nowNs, index, log != null ? (InetSocketAddress)backendChannel.localAddress() : null);
        backendChannel.closeFuture().addListener(this);
    }

    /**
     * As {@link #onRelayStarted(long, Channel, int)} for a backend socket with no channel: its close joins the
     * session's end through {@link SocketEnd#onClosed}.
     */
    public void onRelayStarted(final long nowNs, final SocketEnd socket, final int index)
    {
        backendSocket = socket;
        relayStarted(nowNs, index, log != null ? socket.localAddress() : null);
        socket.onClosed(this);
    }

    private void relayStarted(final long nowNs, final int index, final InetSocketAddress backendLocal)
    {
        connectedNs = nowNs;
        backendIndex = index;
        relayed = true;
        backendOpen = true;
        upstreamLocal = backendLocal;
        counters.increment(Counter.RELAYED);
        route.pool().onConnectionOpened(index);
        route.counters().onBackendConnected(worker.index(), index);
        stage = null;
        worker.peeking().remove(this);
        worker.relaying().add(this);
    }

    /** The relay that now moves the bytes (its idle checks run on the worker's relay tick). */
    public void onRelaying(final SessionStage relay)
    {
        stage = relay;
    }

    /** Bytes written towards the backend (the peeked bytes and PROXY header included). */
    public void onClientToBackend(final long bytes)
    {
        bytesClientToBackend += bytes;
        listenerCounters.onClientToBackend(bytes);
    }

    /** Bytes written towards the client. */
    public void onBackendToClient(final long bytes)
    {
        bytesBackendToClient += bytes;
        listenerCounters.onBackendToClient(bytes);
    }

    /** Total bytes moved either way (relays compare it between ticks for their idle timeouts). */
    public long bytesMoved()
    {
        return bytesClientToBackend + bytesBackendToClient;
    }

    /** Records an end event; only the first one counts (see {@link EndReason}). */
    public void noteEnd(final EndReason reason)
    {
        if (endReason == null)
        {
            endReason = reason;
        }
    }

    /**
     * The half-closed timeout ends the session now: {@link EndReason#HALF_CLOSED_TIMEOUT} replaces a FIN
     * noted before it ({@code client_closed}/{@code backend_closed}: that FIN ended one direction only),
     * never a reset or any other reason; then both channels close.
     */
    public void closeHalfClosed()
    {
        if (endReason == EndReason.CLIENT_CLOSED || endReason == EndReason.BACKEND_CLOSED)
        {
            endReason = EndReason.HALF_CLOSED_TIMEOUT;
        }
        close(EndReason.HALF_CLOSED_TIMEOUT);
    }

    /** Ends the session now: notes {@code reason} and closes both channels (queued writes are dropped). */
    public void close(final EndReason reason)
    {
        noteEnd(reason);
        if (client != null)
        {
            client.close();
        }
        else
        {
            clientSocket.close();
        }
        if (backend != null)
        {
            backend.close();
        }
        else if (backendSocket != null)
        {
            backendSocket.close();
        }
    }

    @Override
    public void onTick(final long nowNs)
    {
        if (stage != null && !ended)
        {
            stage.onTick(nowNs);
        }
    }

    @Override
    public void onForcedClose()
    {
        close(EndReason.DRAIN);
    }

    /**
     * {@code policy} admitted this connection as {@code source}: the session releases it there, once, when
     * the client channel closes (held here rather than as one more close listener per connection).
     */
    public void onAdmitted(final AdmissionPolicy policy, final InetAddress source)
    {
        admittedBy = policy;
        admittedSource = source;
    }

    /**
     * A channel of this session closed (this listens on the client's and the backend's close futures, each
     * completes once). The client's close is counted at once (the worker's open connections) and releases
     * its admission; the session ends when its last channel has closed.
     */
    @Override
    public void operationComplete(final ChannelFuture future)
    {
        if (client != null && future == client.closeFuture())
        {
            onClientClosed();
            return;
        }
        if (backend != null && future == backend.closeFuture())
        {
            backendOpen = false;
        }
        endIfClosed();
    }

    /** The client's socket closed (once): counted at once and its admission released; then the end rule. */
    private void onClientClosed()
    {
        clientOpen = false;
        counters.onConnectionClosed();
        if (admittedBy != null)
        {
            admittedBy.release(admittedSource);
        }
        endIfClosed();
    }

    /** A channel-less socket of this session closed: the client's, or the backend's. */
    @Override
    public void onSocketClosed(final SocketEnd socket)
    {
        if (socket == clientSocket)
        {
            onClientClosed();
            return;
        }
        backendOpen = false;
        endIfClosed();
    }

    /** The session ends here, once, when its client and its backend (if one was attached) have both closed. */
    private void endIfClosed()
    {
        if (ended || clientOpen || backendOpen)
        {
            return;
        }
        ended = true;
        final ConnectionList list = relayed ? worker.relaying() : worker.peeking();
        list.remove(this);
        worker.peeking().remove(this);
        final EndReason reason = endReason != null ? endReason : relayed ? EndReason.CLIENT_CLOSED : EndReason.PEEK_EOF;
        endReason = reason;
        final long endNs = worker.nowNs();
        final long peekNs = decidedNs < 0 ? -1 : decidedNs - acceptedNs;
        if (relayed)
        {
            if (reason.isReset())
            {
                counters.increment(Counter.RELAY_RESET);
            }
            else if (reason == EndReason.IDLE_TIMEOUT || reason == EndReason.HALF_CLOSED_TIMEOUT)
            {
                counters.increment(Counter.RELAY_IDLE_TIMEOUT);
            }
            route.pool().onConnectionClosed(backendIndex);
        }
        if (route != null)
        {
            route.counters().onSessionEnd(worker.index(), relayed ? backendIndex : BackendPool.NO_BACKEND, bytesClientToBackend,
                bytesBackendToClient, peekNs, relayed ? connectedNs - connectStartNs : -1, endNs - acceptedNs);
        }
        listenerCounters.onClosed(route == null, peekNs, endNs - acceptedNs);
        if (log != null)
        {
            final long endEpochMs = System.currentTimeMillis();
            final long durationUs = micros(endNs - acceptedNs);
            log.offer(new AccessLogEntry(
                id, endEpochMs, endEpochMs - durationUs / 1000, clientAddress, listener.name(), local, protocol, name, alpn,
                route != null ? route.id() : null, backendAddress(), upstreamLocal, connectAttempts, backendsTried,
                route != null ? route.counters().backendIds() : null, bytesClientToBackend, bytesBackendToClient,
                durationUs, decidedNs < 0 ? -1 : micros(decidedNs - acceptedNs),
                connectedNs < 0 || connectStartNs < 0 ? -1 : micros(connectedNs - connectStartNs), reason.word()));
        }
    }

    /**
     * Any thread: on {@code worker}'s loop (through its task queue), closes every session there that
     * {@code match} accepts, with {@code reason} (a backend disabled, a route removed). Control path:
     * allocates a task.
     */
    public static void closeMatching(final Worker worker, final Predicate<Session> match, final EndReason reason)
    {
        worker.loop().execute(() ->
        {
            final java.util.function.Consumer<TimedConnection> closer = connection ->
            {
                if (connection instanceof Session && match.test((Session)connection))
                {
                    ((Session)connection).close(reason);
                }
            };
            worker.peeking().visit(closer);
            worker.relaying().visit(closer);
        });
    }

    private static long micros(final long ns)
    {
        return TimeUnit.NANOSECONDS.toMicros(Math.max(0, ns));
    }

    @Override
    public String toString()
    {
        return "session " + id + " from " + clientAddress + " on " + listener.name();
    }
}
