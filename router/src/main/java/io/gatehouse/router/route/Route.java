package io.gatehouse.router.route;

import io.gatehouse.balancer.BackendPool;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.health.RouteHealth;
import io.gatehouse.router.metrics.RouteCounters;
import java.net.InetSocketAddress;

/**
 * One compiled route: its backends (addresses resolved on the control thread), how one is picked, what
 * is sent before the client's bytes, and its counters. Immutable after construction except the pool's
 * own lock-free state; read by every event loop.
 */
public final class Route
{
    private final String id;
    private final int index;
    private final byte[][] alpn;
    private final BackendPool pool;
    private final InetSocketAddress[] backendAddresses;
    private final RouteConfig.HashKey hashKey;
    private final RouteConfig.ProxyProtocolOut proxyProtocol;
    private final int connectTimeoutMs;
    private final int connectAttempts;
    private final RouteCounters counters;
    private final RouteHealth health;
    private final String revision;

    /** @param revision {@link RouteConfig#revision()}: another one under this id means a changed route. */
    public Route(
        final String id,
        final int index,
        final byte[][] alpn,
        final BackendPool pool,
        final InetSocketAddress[] backendAddresses,
        final RouteConfig.HashKey hashKey,
        final RouteConfig.ProxyProtocolOut proxyProtocol,
        final int connectTimeoutMs,
        final int connectAttempts,
        final RouteCounters counters,
        final RouteHealth health,
        final String revision)
    {
        this.revision = revision;
        this.id = id;
        this.index = index;
        this.alpn = alpn;
        this.pool = pool;
        this.backendAddresses = backendAddresses;
        this.hashKey = hashKey;
        this.proxyProtocol = proxyProtocol;
        this.connectTimeoutMs = connectTimeoutMs;
        this.connectAttempts = connectAttempts;
        this.counters = counters;
        this.health = health;
    }

    public String id()
    {
        return id;
    }

    /** What the route was built from ({@link RouteConfig#revision()}), or {@code null}. */
    public String revision()
    {
        return revision;
    }

    /** Position in the listener's {@code routes} (what route-level policy is indexed by). */
    public int index()
    {
        return index;
    }

    /** True when this route has an ALPN condition. */
    public boolean hasAlpnCondition()
    {
        return alpn.length > 0;
    }

    /** The protocols of the ALPN condition (empty: any client matches). */
    public int alpnCount()
    {
        return alpn.length;
    }

    public byte[] alpn(final int index)
    {
        return alpn[index];
    }

    public BackendPool pool()
    {
        return pool;
    }

    public InetSocketAddress backendAddress(final int backendIndex)
    {
        return backendAddresses[backendIndex];
    }

    public RouteConfig.HashKey hashKey()
    {
        return hashKey;
    }

    public RouteConfig.ProxyProtocolOut proxyProtocol()
    {
        return proxyProtocol;
    }

    public int connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    public int connectAttempts()
    {
        return connectAttempts;
    }

    public RouteCounters counters()
    {
        return counters;
    }

    /** Where connect outcomes are reported for passive ejection, or {@code null} without a health monitor. */
    public RouteHealth health()
    {
        return health;
    }

    @Override
    public String toString()
    {
        return "Route{" + id + '}';
    }
}
