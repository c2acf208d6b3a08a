package io.gatehouse.router.route;

import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.metrics.ListenerCounters;
import io.gatehouse.router.policy.AdmissionPolicy;
import io.gatehouse.sni.FirstFlightParser;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One listener's immutable serving state: its config, its route table, its peek bounds, its admission
 * policy and its counters (kept by name across reloads), one parser per event loop (a loop uses only {@code parser(worker.index())}). Built on the control thread; read by
 * event loops through {@link RoutingSnapshot}.
 */
public final class ListenerState
{
    private final ListenerConfig config;
    private final RouteTable routes;
    private final AdmissionPolicy policy;
    private final ListenerCounters counters;
    private final FirstFlightParser[] parsers;
    private final int peekMaxBytes;
    private final long peekTimeoutNs;
    private final long serverFirstDelayNs;
    private final long idleTimeoutNs;
    private final long halfClosedTimeoutNs;
    private final boolean acceptTls;
    private final boolean acceptHttp;

    public ListenerState(
        final ListenerConfig config,
        final RouteTable routes,
        final AdmissionPolicy policy,
        final ListenerCounters counters,
        final int workerCount,
        final long idleTimeoutMs)
    {
        this.config = config;
        this.routes = routes;
        this.policy = policy;
        this.counters = counters;
        this.peekMaxBytes = Math.max(1, Math.min(
            config.peekMaxBytes() <= 0 ? ListenerConfig.DEFAULT_PEEK_MAX_BYTES : config.peekMaxBytes(),
            ListenerConfig.PEEK_MAX_BYTES_CAP));
        this.peekTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            config.peekTimeoutMs() <= 0 ? ListenerConfig.DEFAULT_PEEK_TIMEOUT_MS : config.peekTimeoutMs());
        this.serverFirstDelayNs = TimeUnit.MILLISECONDS.toNanos(Math.max(0, config.serverFirstDelayMs()));
        this.idleTimeoutNs = idleTimeoutMs <= 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        this.halfClosedTimeoutNs = Math.min(idleTimeoutNs, TimeUnit.MILLISECONDS.toNanos(config.halfClosedTimeoutMs()));
        this.acceptTls = config.protocol() != ListenerConfig.Protocol.HTTP;
        this.acceptHttp = config.protocol() != ListenerConfig.Protocol.TLS;
        this.parsers = new FirstFlightParser[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            parsers[i] = new FirstFlightParser(peekMaxBytes, acceptTls, acceptHttp);
        }
    }

    public ListenerConfig config()
    {
        return config;
    }

    public String name()
    {
        return config.name();
    }

    public RouteTable routes()
    {
        return routes;
    }

    /** Accepted, closed, bytes and unrouted durations of this listener (one slice per event loop). */
    public ListenerCounters counters()
    {
        return counters;
    }

    /** A parser of its own for a connection whose first flight takes many reads (allocates). */
    public FirstFlightParser newParser()
    {
        return new FirstFlightParser(peekMaxBytes, acceptTls, acceptHttp);
    }

    /**
     * The shared parser of event loop {@code workerIndex}; only that loop may use it, and since several
     * connections interleave on a loop, it must be {@code reset()} before each use.
     */
    public FirstFlightParser parser(final int workerIndex)
    {
        return parsers[workerIndex];
    }

    public int peekMaxBytes()
    {
        return peekMaxBytes;
    }

    public long peekTimeoutNs()
    {
        return peekTimeoutNs;
    }

    public long serverFirstDelayNs()
    {
        return serverFirstDelayNs;
    }

    public long idleTimeoutNs()
    {
        return idleTimeoutNs;
    }

    /**
     * A relay with one direction ended (or flushing its last bytes) that moves no byte for this long is
     * closed: the listener's {@code half_closed_timeout}, at most {@link #idleTimeoutNs()}.
     */
    public long halfClosedTimeoutNs()
    {
        return halfClosedTimeoutNs;
    }

    public boolean relaySplice()
    {
        return config.relay() == ListenerConfig.RelayMode.SPLICE;
    }

    /**
     * Who may connect (listener and route allow/deny, per-source limits, the process-wide connection
     * limit); an admitted connection is released on this policy when it closes.
     */
    public AdmissionPolicy policy()
    {
        return policy;
    }

    /** True when {@code source} may (and so must) open with a PROXY protocol header. */
    public boolean trustsProxyHeaderFrom(final byte[] source)
    {
        return contains(config.proxyProtocolFrom(), source);
    }

    /** True when this listener takes PROXY headers from some sources (and refuses them from the others). */
    public boolean acceptsProxyHeaders()
    {
        return !config.proxyProtocolFrom().isEmpty();
    }

    private static boolean contains(final List<Cidr> cidrs, final byte[] source)
    {
        for (int i = 0, size = cidrs.size(); i < size; i++)
        {
            if (cidrs.get(i).contains(source))
            {
                return true;
            }
        }
        return false;
    }
}
