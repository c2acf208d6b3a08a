package io.gatehouse.router.config;

import java.util.List;

/**
 * A route: the names it answers for, the backends it sends to, and how it picks one.
 *
 * @param hostnames        exact names and {@code *.suffix} wildcards, normalised (lower case, no
 *                         trailing dot). The first is the route's id (what {@code default:} names).
 * @param alpn             when not empty, the route matches only a ClientHello offering one of these.
 * @param backends         at least one.
 * @param balance          how a backend is picked.
 * @param hashKey          what a consistent-hash balance hashes.
 * @param proxyProtocol    what is written to the backend before the client's bytes.
 * @param connectTimeoutMs per attempt.
 * @param connectAttempts  backends tried in turn before the client is closed (at least 1).
 * @param allow            source CIDRs let in to this route; empty = all (on top of the listener's).
 * @param deny             source CIDRs kept out of this route; deny wins.
 * @param health           active checks, passive ejection and the all-down behaviour.
 * @param name             the route's id when it is not its first hostname ({@code null} in files; an xDS
 *                         filter chain's name), which lets a route without hostnames be a listener's default.
 * @param revision         what the route was built from, as its config source tells versions apart (an xDS
 *                         filter chain's digest), or {@code null} (files: a route is its id). A reload that
 *                         serves the route's id with another revision drains the connections accepted under the
 *                         old one after {@code runtime.removed_route_drain}, as for a removed route (as Envoy
 *                         drains the connections of a changed filter chain).
 * @param tables           the balancer's table sizes, or {@code null} for gatehouse's defaults (every file
 *                         route; an xDS cluster's {@code maglev_lb_config} / {@code ring_hash_lb_config}).
 */
public record RouteConfig(
    List<String> hostnames,
    List<String> alpn,
    List<BackendConfig> backends,
    Balance balance,
    HashKey hashKey,
    ProxyProtocolOut proxyProtocol,
    long connectTimeoutMs,
    int connectAttempts,
    List<Cidr> allow,
    List<Cidr> deny,
    HealthCheckConfig health,
    String name,
    String revision,
    Tables tables)
{
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
    public static final int DEFAULT_CONNECT_ATTEMPTS = 3;

    public RouteConfig
    {
        hostnames = List.copyOf(hostnames);
        alpn = List.copyOf(alpn);
        backends = List.copyOf(backends);
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        health = health == null ? HealthCheckConfig.DEFAULT : health;
        if (name == null && hostnames.isEmpty())
        {
            throw new IllegalArgumentException("a route without hostnames needs a name");
        }
    }

    /** A route without a revision (every file route). */
    public RouteConfig(
        final List<String> hostnames,
        final List<String> alpn,
        final List<BackendConfig> backends,
        final Balance balance,
        final HashKey hashKey,
        final ProxyProtocolOut proxyProtocol,
        final long connectTimeoutMs,
        final int connectAttempts,
        final List<Cidr> allow,
        final List<Cidr> deny,
        final HealthCheckConfig health,
        final String name)
    {
        this(hostnames, alpn, backends, balance, hashKey, proxyProtocol, connectTimeoutMs, connectAttempts, allow, deny,
            health, name, null, null);
    }

    /** A route named by its first hostname. */
    public RouteConfig(
        final List<String> hostnames,
        final List<String> alpn,
        final List<BackendConfig> backends,
        final Balance balance,
        final HashKey hashKey,
        final ProxyProtocolOut proxyProtocol,
        final long connectTimeoutMs,
        final int connectAttempts,
        final List<Cidr> allow,
        final List<Cidr> deny,
        final HealthCheckConfig health)
    {
        this(hostnames, alpn, backends, balance, hashKey, proxyProtocol, connectTimeoutMs, connectAttempts, allow, deny,
            health, null);
    }

    /** A route open to every source, with the default health settings. */
    public RouteConfig(
        final List<String> hostnames,
        final List<String> alpn,
        final List<BackendConfig> backends,
        final Balance balance,
        final HashKey hashKey,
        final ProxyProtocolOut proxyProtocol,
        final long connectTimeoutMs,
        final int connectAttempts)
    {
        this(hostnames, alpn, backends, balance, hashKey, proxyProtocol, connectTimeoutMs, connectAttempts,
            List.of(), List.of(), HealthCheckConfig.DEFAULT, null);
    }

    /** @return this route with the balancer table sizes {@code tables} ({@code null}: gatehouse's defaults). */
    public RouteConfig withTables(final Tables tables)
    {
        return new RouteConfig(hostnames, alpn, backends, balance, hashKey, proxyProtocol, connectTimeoutMs, connectAttempts,
            allow, deny, health, name, revision, tables);
    }

    /** The route's id: its name when it has one, else its first hostname. */
    public String id()
    {
        return name != null ? name : hostnames.get(0);
    }

    /**
     * Balancer table sizes (see {@code io.gatehouse.balancer.BalancerOptions}, which checks them when the pool
     * is built).
     *
     * @param maglevTableSize entries of a MAGLEV table: a prime, or {@code BalancerOptions.SCALED} (0) for the
     *                        default that scales with the pool.
     * @param ringMinSize     fewest points of a RING_HASH ring, or {@code BalancerOptions.SCALED} (0) for the
     *                        default that scales with the pool (capped at the maximum).
     * @param ringMaxSize     most points of a RING_HASH ring.
     */
    public record Tables(int maglevTableSize, int ringMinSize, int ringMaxSize)
    {
    }

    /** Backend choice. */
    public enum Balance
    {
        MAGLEV, RING_HASH, ROUND_ROBIN, LEAST_CONN_P2C
    }

    /** What a consistent-hash balance hashes. */
    public enum HashKey
    {
        /** The client's source address: one client, one backend. */
        SOURCE_IP,
        /** The routed name: one name, one backend. */
        SNI,
        /** Source and destination address and port: spread. */
        FOUR_TUPLE
    }

    /** PROXY protocol header sent to the backend. */
    public enum ProxyProtocolOut
    {
        NONE, V1, V2
    }
}
