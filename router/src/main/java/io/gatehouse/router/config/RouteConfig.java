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
 */
public record RouteConfig(
    List<String> hostnames,
    List<String> alpn,
    List<BackendConfig> backends,
    Balance balance,
    HashKey hashKey,
    ProxyProtocolOut proxyProtocol,
    long connectTimeoutMs,
    int connectAttempts)
{
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
    public static final int DEFAULT_CONNECT_ATTEMPTS = 3;

    public RouteConfig
    {
        hostnames = List.copyOf(hostnames);
        alpn = List.copyOf(alpn);
        backends = List.copyOf(backends);
    }

    /** The route's id: its first hostname. */
    public String id()
    {
        return hostnames.get(0);
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
