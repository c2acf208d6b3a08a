package io.gatehouse.router.config;

import java.util.List;

/**
 * One listener: an address, what it peeks for, who may connect, and its routes.
 *
 * @param name               unique; defaults to the address text.
 * @param address            where it binds.
 * @param protocol           what the peek accepts.
 * @param relay              how bytes move once routed.
 * @param allow              source CIDRs let in; empty = all.
 * @param deny               source CIDRs kept out; deny wins over allow.
 * @param routes             in file order; lookup is most-specific-name first, not file order.
 * @param defaultRoute       hostname of the route used when there is no name or no match; {@code null}
 *                           rejects (TLS alert unrecognized_name, HTTP 421).
 * @param serverFirstRoute   hostname of the route used when the client says nothing for
 *                           {@code serverFirstDelayMs} (server-first protocols); {@code null} = none.
 * @param serverFirstDelayMs how long to wait for the client's first byte before serverFirstRoute.
 * @param peekTimeoutMs      the whole peek's deadline (default 5000).
 * @param peekMaxBytes       the most bytes buffered by the peek (default 16384, hard cap 65536).
 * @param proxyProtocolFrom  sources trusted to send a PROXY v1/v2 header first; empty = PROXY not accepted.
 * @param limits             per-source-address connection and rate limits.
 * @param halfClosedTimeoutMs a relay with one direction ended that moves no byte for this long is closed
 *                           ({@code half_closed_timeout}, HAProxy's {@code timeout client-fin}/{@code server-fin};
 *                           default 60000); the relay uses the lesser of it and {@code idle_timeout}.
 */
public record ListenerConfig(
    String name,
    HostPort address,
    Protocol protocol,
    RelayMode relay,
    List<Cidr> allow,
    List<Cidr> deny,
    List<RouteConfig> routes,
    String defaultRoute,
    String serverFirstRoute,
    long serverFirstDelayMs,
    long peekTimeoutMs,
    int peekMaxBytes,
    List<Cidr> proxyProtocolFrom,
    SourceLimitConfig limits,
    long halfClosedTimeoutMs)
{
    public static final long DEFAULT_PEEK_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_HALF_CLOSED_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_PEEK_MAX_BYTES = 16 * 1024;
    public static final int PEEK_MAX_BYTES_CAP = 64 * 1024;

    public ListenerConfig
    {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        routes = List.copyOf(routes);
        proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
        limits = limits == null ? SourceLimitConfig.NONE : limits;
        halfClosedTimeoutMs = halfClosedTimeoutMs <= 0 ? DEFAULT_HALF_CLOSED_TIMEOUT_MS : halfClosedTimeoutMs;
    }

    /** A listener with the default {@code half_closed_timeout}. */
    public ListenerConfig(
        final String name,
        final HostPort address,
        final Protocol protocol,
        final RelayMode relay,
        final List<Cidr> allow,
        final List<Cidr> deny,
        final List<RouteConfig> routes,
        final String defaultRoute,
        final String serverFirstRoute,
        final long serverFirstDelayMs,
        final long peekTimeoutMs,
        final int peekMaxBytes,
        final List<Cidr> proxyProtocolFrom,
        final SourceLimitConfig limits)
    {
        this(name, address, protocol, relay, allow, deny, routes, defaultRoute, serverFirstRoute, serverFirstDelayMs,
            peekTimeoutMs, peekMaxBytes, proxyProtocolFrom, limits, DEFAULT_HALF_CLOSED_TIMEOUT_MS);
    }

    /** A listener without per-source limits. */
    public ListenerConfig(
        final String name,
        final HostPort address,
        final Protocol protocol,
        final RelayMode relay,
        final List<Cidr> allow,
        final List<Cidr> deny,
        final List<RouteConfig> routes,
        final String defaultRoute,
        final String serverFirstRoute,
        final long serverFirstDelayMs,
        final long peekTimeoutMs,
        final int peekMaxBytes,
        final List<Cidr> proxyProtocolFrom)
    {
        this(name, address, protocol, relay, allow, deny, routes, defaultRoute, serverFirstRoute, serverFirstDelayMs,
            peekTimeoutMs, peekMaxBytes, proxyProtocolFrom, SourceLimitConfig.NONE);
    }

    /** What a listener peeks for. */
    public enum Protocol
    {
        /** TLS, HTTP/1.x or h2c, told apart by the first bytes. */
        AUTO,
        /** TLS ClientHello only. */
        TLS,
        /** HTTP/1.x Host or h2c :authority only. */
        HTTP
    }

    /** How routed bytes move between the two sockets. */
    public enum RelayMode
    {
        /** The buffer read from one side is written to the other (no copy in user space). */
        COPY,
        /** splice(2) through a pipe, kernel to kernel (epoll only). */
        SPLICE
    }
}
