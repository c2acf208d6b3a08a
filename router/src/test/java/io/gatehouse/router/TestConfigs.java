package io.gatehouse.router;

import io.gatehouse.router.listen.Listener;

import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.config.RuntimeConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Config records built in Java for tests (the YAML loader is tested by its own module). */
public final class TestConfigs
{
    private TestConfigs()
    {
    }

    public static RouteConfig route(final List<String> hostnames, final InetSocketAddress... backends)
    {
        return route(hostnames, List.of(), RouteConfig.ProxyProtocolOut.NONE, backends);
    }

    public static RouteConfig route(
        final List<String> hostnames,
        final List<String> alpn,
        final RouteConfig.ProxyProtocolOut proxy,
        final InetSocketAddress... backends)
    {
        final List<BackendConfig> list = new ArrayList<>();
        for (final InetSocketAddress backend : backends)
        {
            list.add(new BackendConfig(new HostPort(backend.getAddress().getHostAddress(), backend.getPort()), 1));
        }
        return new RouteConfig(hostnames, alpn, list, RouteConfig.Balance.MAGLEV, RouteConfig.HashKey.FOUR_TUPLE, proxy,
            1_000, RouteConfig.DEFAULT_CONNECT_ATTEMPTS);
    }

    /** A listener on 127.0.0.1 port 0 (ephemeral) with the given routes. */
    public static Listener listener(final String name, final RouteConfig... routes)
    {
        return new Listener(name, Arrays.asList(routes));
    }

    public static GatehouseConfig config(final RuntimeConfig.Transport transport, final int workers, final Listener... listeners)
    {
        final List<ListenerConfig> list = new ArrayList<>();
        for (final Listener listener : listeners)
        {
            list.add(listener.build());
        }
        return new GatehouseConfig(null, list, null, new RuntimeConfig(transport, workers, 5_000, 60_000, null));
    }

    /** Listener config with fluent knobs. */
    public static final class Listener
    {
        private final String name;
        private final List<RouteConfig> routes;
        private String host = "127.0.0.1";
        private int port;
        private ListenerConfig.Protocol protocol = ListenerConfig.Protocol.AUTO;
        private ListenerConfig.RelayMode relay = ListenerConfig.RelayMode.COPY;
        private List<Cidr> allow = List.of();
        private List<Cidr> deny = List.of();
        private String defaultRoute;
        private String serverFirstRoute;
        private long serverFirstDelayMs;
        private long peekTimeoutMs = ListenerConfig.DEFAULT_PEEK_TIMEOUT_MS;
        private int peekMaxBytes = ListenerConfig.DEFAULT_PEEK_MAX_BYTES;
        private List<Cidr> proxyFrom = List.of();
        private io.gatehouse.router.config.SourceLimitConfig limits = io.gatehouse.router.config.SourceLimitConfig.NONE;

        Listener(final String name, final List<RouteConfig> routes)
        {
            this.name = name;
            this.routes = routes;
        }

        public Listener host(final String value)
        {
            host = value;
            return this;
        }

        public Listener port(final int value)
        {
            port = value;
            return this;
        }

        public Listener protocol(final ListenerConfig.Protocol value)
        {
            protocol = value;
            return this;
        }

        public Listener relay(final ListenerConfig.RelayMode value)
        {
            relay = value;
            return this;
        }

        public Listener allow(final Cidr... value)
        {
            allow = List.of(value);
            return this;
        }

        public Listener deny(final Cidr... value)
        {
            deny = List.of(value);
            return this;
        }

        public Listener defaultRoute(final String value)
        {
            defaultRoute = value;
            return this;
        }

        public Listener serverFirst(final String route, final long delayMs)
        {
            serverFirstRoute = route;
            serverFirstDelayMs = delayMs;
            return this;
        }

        public Listener peekTimeoutMs(final long value)
        {
            peekTimeoutMs = value;
            return this;
        }

        public Listener peekMaxBytes(final int value)
        {
            peekMaxBytes = value;
            return this;
        }

        public Listener proxyFrom(final Cidr... value)
        {
            proxyFrom = List.of(value);
            return this;
        }

        public Listener limits(final io.gatehouse.router.config.SourceLimitConfig value)
        {
            limits = value;
            return this;
        }

        public ListenerConfig build()
        {
            return new ListenerConfig(name, new HostPort(host, port), protocol, relay, allow, deny, routes, defaultRoute,
                serverFirstRoute, serverFirstDelayMs, peekTimeoutMs, peekMaxBytes, proxyFrom, limits);
        }
    }
}
