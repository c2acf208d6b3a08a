package io.gatehouse.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.ProxyProtocolConfig;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport;
import io.gatehouse.balancer.BalancerOptions;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.Hostname;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Envoy API resources to gatehouse config, field by field; what cannot be honoured is an
 * {@link XdsRejection} naming the resource and the field, never ignored. What is read, what is NACKed
 * and what is only observability (and so left to gatehouse's own metrics and access log) is listed in
 * {@code router/README-xds.md}. Stateless; control thread only; allocates freely.
 */
public final class XdsTranslator
{
    static final String TYPE_PREFIX = "type.googleapis.com/";
    static final String TLS_INSPECTOR = "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
    static final String HTTP_INSPECTOR = "envoy.extensions.filters.listener.http_inspector.v3.HttpInspector";
    static final String PROXY_PROTOCOL_FILTER = "envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol";
    static final String TCP_PROXY = "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
    static final String RBAC_FILTER = "envoy.extensions.filters.network.rbac.v3.RBAC";
    static final String HTTP_CONNECTION_MANAGER = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
    static final String RAW_BUFFER = "envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer";
    static final String UPSTREAM_PROXY_PROTOCOL = "envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport";

    /**
     * The smallest {@code per_connection_buffer_limit_bytes} gatehouse honours: the copy relay holds at most
     * one read buffer per direction (Netty's adaptive allocator tops out at 64 KiB) and reads again only
     * once it is written, so any limit at least this large is met by construction.
     */
    public static final long MIN_BUFFER_LIMIT_BYTES = 64 * 1024;

    /** Envoy's bound on {@code ring_hash_lb_config} sizes (8M points), which gatehouse's ring shares. */
    static final long MAX_RING_SIZE = 8 * 1024 * 1024;

    /** Envoy's bound on {@code maglev_lb_config.table_size}: a prime up to 5,000,011. */
    static final long MAX_MAGLEV_TABLE_SIZE = 5_000_011;

    private final long idleTimeoutMs;

    /** @param idleTimeoutMs the process's {@code runtime.idle_timeout}: a tcp_proxy {@code idle_timeout} must agree. */
    public XdsTranslator(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = idleTimeoutMs;
    }

    // ---------------------------------------------------------------- LDS

    /** Checks one LDS listener in itself. */
    ListenerPlan listener(final Listener listener) throws XdsRejection
    {
        final String name = listener.getName();
        if (name.isEmpty())
        {
            throw new XdsRejection("Listener", "", "name", "empty");
        }
        final HostPort address = socketAddress("Listener", name, "address", listener.getAddress());
        if (listener.hasBindToPort() && !listener.getBindToPort().getValue())
        {
            throw new XdsRejection("Listener", name, "bind_to_port", "false is not supported: gatehouse binds every listener");
        }
        if (listener.getAdditionalAddressesCount() > 0)
        {
            throw new XdsRejection("Listener", name, "additional_addresses", "not supported: one address per listener");
        }
        if (listener.hasFilterChainMatcher())
        {
            throw new XdsRejection("Listener", name, "filter_chain_matcher", "not supported: use filter_chain_match");
        }
        if (listener.hasUseOriginalDst() && listener.getUseOriginalDst().getValue())
        {
            throw new XdsRejection("Listener", name, "use_original_dst", "not supported");
        }
        if (listener.hasTransparent() && listener.getTransparent().getValue())
        {
            throw new XdsRejection("Listener", name, "transparent", "not supported");
        }
        if (listener.hasUdpListenerConfig() || listener.getAddress().getSocketAddress().getProtocol() != SocketAddress.Protocol.TCP)
        {
            throw new XdsRejection("Listener", name, "address.socket_address.protocol", "only TCP listeners are supported");
        }
        if (listener.getContinueOnListenerFiltersTimeout())
        {
            throw new XdsRejection("Listener", name, "continue_on_listener_filters_timeout", "not supported: a connection "
                + "that has not shown its name by listener_filters_timeout is closed");
        }
        if (listener.hasPerConnectionBufferLimitBytes()
            && listener.getPerConnectionBufferLimitBytes().getValue() < MIN_BUFFER_LIMIT_BYTES)
        {
            throw new XdsRejection("Listener", name, "per_connection_buffer_limit_bytes", listener.getPerConnectionBufferLimitBytes()
                .getValue() + " is below " + MIN_BUFFER_LIMIT_BYTES + ", the most gatehouse may hold per direction");
        }

        boolean tlsInspector = false;
        boolean httpInspector = false;
        boolean proxyProtocol = false;
        for (int i = 0; i < listener.getListenerFiltersCount(); i++)
        {
            final ListenerFilter filter = listener.getListenerFilters(i);
            final String field = "listener_filters[" + i + "]";
            final String kind = filter.hasTypedConfig() ? typeName(filter.getTypedConfig()) : filter.getName();
            if (filter.hasFilterDisabled())
            {
                throw new XdsRejection("Listener", name, field + ".filter_disabled", "not supported: gatehouse runs every "
                    + "listener filter on every connection");
            }
            switch (kind)
            {
                case TLS_INSPECTOR, "envoy.filters.listener.tls_inspector" -> tlsInspector = true;
                case HTTP_INSPECTOR, "envoy.filters.listener.http_inspector" -> httpInspector = true;
                case PROXY_PROTOCOL_FILTER, "envoy.filters.listener.proxy_protocol" ->
                {
                    proxyProtocol = true;
                    if (filter.hasTypedConfig())
                    {
                        final var config = unpack("Listener", name, field + ".typed_config", filter.getTypedConfig(),
                            io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol.class);
                        if (config.getAllowRequestsWithoutProxyProtocol())
                        {
                            throw new XdsRejection("Listener", name, field + ".allow_requests_without_proxy_protocol",
                                "not supported: gatehouse requires the header from every source it trusts");
                        }
                        if (config.getRulesCount() > 0)
                        {
                            throw new XdsRejection("Listener", name, field + ".rules", "TLV-to-metadata rules are not supported");
                        }
                        if (config.getDisallowedVersionsCount() > 0)
                        {
                            throw new XdsRejection("Listener", name, field + ".disallowed_versions",
                                "not supported: gatehouse accepts PROXY v1 and v2");
                        }
                    }
                }
                default -> throw new XdsRejection("Listener", name, field, "unknown listener filter '" + kind
                    + "' (supported: tls_inspector, http_inspector, proxy_protocol)");
            }
        }
        ListenerConfig.Protocol protocol = tlsInspector && httpInspector ? ListenerConfig.Protocol.AUTO
            : tlsInspector ? ListenerConfig.Protocol.TLS
            : httpInspector ? ListenerConfig.Protocol.HTTP
            : ListenerConfig.Protocol.AUTO;
        final long peekTimeoutMs = listener.hasListenerFiltersTimeout() ? Math.max(1, millis(listener.getListenerFiltersTimeout()))
            : ListenerConfig.DEFAULT_PEEK_TIMEOUT_MS;

        // Envoy drains every connection of a listener whose fields other than its chains change, and those of a
        // changed chain when only chains change: each chain's revision covers both
        final byte[] listenerDigest = digest(null, listener.toBuilder().clearFilterChains().clearDefaultFilterChain().build());
        final List<ListenerPlan.Chain> chains = new ArrayList<>();
        ListenerPlan.Chain matchAll = null;
        String transport = null;
        final Set<String> chainNames = new HashSet<>();
        for (int i = 0; i < listener.getFilterChainsCount(); i++)
        {
            final FilterChain chain = listener.getFilterChains(i);
            final String field = "filter_chains[" + i + "]";
            ListenerPlan.Chain plan = chain(name, field, chain, listenerDigest);
            if (chain.getName().isEmpty() && chainNames.contains(plan.name()))
            {
                plan = new ListenerPlan.Chain(plan.name() + "#" + i, plan.serverNames(), plan.alpn(), plan.allow(), plan.deny(),
                    plan.clusters(), plan.connectAttempts(), plan.hashKey(), plan.revision());
            }
            final String chainTransport = chain.getFilterChainMatch().getTransportProtocol();
            if (!chainTransport.isEmpty())
            {
                if (transport != null && !transport.equals(chainTransport))
                {
                    throw new XdsRejection("Listener", name, field + ".filter_chain_match.transport_protocol",
                        "'" + chainTransport + "' beside '" + transport + "': the chains of one listener must agree");
                }
                transport = chainTransport;
            }
            if (!chainNames.add(plan.name()))
            {
                throw new XdsRejection("Listener", name, field + ".name", "duplicate filter chain name '" + plan.name() + "'");
            }
            if (plan.serverNames().isEmpty() && plan.alpn().isEmpty() && plan.allow().isEmpty())
            {
                if (matchAll != null)
                {
                    throw new XdsRejection("Listener", name, field + ".filter_chain_match",
                        "a second chain matching every connection (the first is '" + matchAll.name() + "')");
                }
                matchAll = plan;
            }
            else if (plan.serverNames().isEmpty())
            {
                throw new XdsRejection("Listener", name, field + ".filter_chain_match.server_names",
                    "a chain matched only by application_protocols or source_prefix_ranges is not supported: name its servers");
            }
            else
            {
                chains.add(plan);
            }
        }
        checkOverlap(name, chains);
        ListenerPlan.Chain defaultChain = matchAll;
        if (listener.hasDefaultFilterChain())
        {
            if (matchAll != null)
            {
                throw new XdsRejection("Listener", name, "default_filter_chain",
                    "beside chain '" + matchAll.name() + "', which already matches every connection");
            }
            defaultChain = chain(name, "default_filter_chain", listener.getDefaultFilterChain(), listenerDigest);
            if (!defaultChain.serverNames().isEmpty() || !defaultChain.alpn().isEmpty() || !defaultChain.allow().isEmpty())
            {
                throw new XdsRejection("Listener", name, "default_filter_chain.filter_chain_match", "a default chain has no match");
            }
            if (!chainNames.add(defaultChain.name()))
            {
                throw new XdsRejection("Listener", name, "default_filter_chain.name", "duplicate filter chain name '"
                    + defaultChain.name() + "'");
            }
        }
        if (defaultChain != null)
        {
            for (int i = 0; i < listener.getFilterChainsCount(); i++)
            {
                final FilterChainMatch match = listener.getFilterChains(i).getFilterChainMatch();
                if (match.getSourcePrefixRangesCount() > 0 && match.getServerNamesCount() > 0)
                {
                    throw new XdsRejection("Listener", name, "filter_chains[" + i + "].filter_chain_match.source_prefix_ranges",
                        "beside a default chain: Envoy sends the other sources to the default chain, gatehouse refuses them "
                        + "(use an rbac filter, or no default chain)");
                }
            }
        }
        if (chains.isEmpty() && defaultChain == null)
        {
            throw new XdsRejection("Listener", name, "filter_chains", "no filter chain");
        }
        if (!chains.isEmpty() && !tlsInspector && !httpInspector)
        {
            throw new XdsRejection("Listener", name, "listener_filters",
                "chains match server_names but there is no tls_inspector or http_inspector to read them");
        }
        // transport_protocol, as the inspectors set it: "tls" chains see TLS only, "raw_buffer" chains plaintext only
        if ("tls".equals(transport))
        {
            if (!tlsInspector)
            {
                throw new XdsRejection("Listener", name, "listener_filters", "chains match transport_protocol 'tls', which "
                    + "only the tls_inspector detects");
            }
            protocol = ListenerConfig.Protocol.TLS;
        }
        else if ("raw_buffer".equals(transport))
        {
            if (!httpInspector)
            {
                throw new XdsRejection("Listener", name, "listener_filters", "chains match transport_protocol 'raw_buffer': "
                    + "gatehouse reads plaintext through the http_inspector only");
            }
            protocol = ListenerConfig.Protocol.HTTP;
        }
        final List<Cidr> proxyFrom = proxyProtocol ? List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")) : List.of();
        return new ListenerPlan(name, address, protocol, peekTimeoutMs, proxyFrom, chains, defaultChain);
    }

    private ListenerPlan.Chain chain(final String listener, final String field, final FilterChain chain, final byte[] listenerDigest)
        throws XdsRejection
    {
        if (chain.hasTransportSocket() && !RAW_BUFFER.equals(typeName(chain.getTransportSocket()))
            && !"envoy.transport_sockets.raw_buffer".equals(chain.getTransportSocket().getName()))
        {
            throw new XdsRejection("Listener", listener, field + ".transport_socket",
                "terminates TLS (" + typeName(chain.getTransportSocket()) + "); gatehouse only passes TLS through");
        }
        final FilterChainMatch match = chain.getFilterChainMatch();
        if (match.hasDestinationPort() || match.getPrefixRangesCount() > 0 || match.getDirectSourcePrefixRangesCount() > 0
            || match.getSourcePortsCount() > 0 || match.getSourceType() != FilterChainMatch.ConnectionSourceType.ANY
            || !match.getAddressSuffix().isEmpty() || match.hasSuffixLen())
        {
            throw new XdsRejection("Listener", listener, field + ".filter_chain_match", "only server_names, "
                + "application_protocols, transport_protocol and source_prefix_ranges are supported");
        }
        final String transport = match.getTransportProtocol();
        if (!transport.isEmpty() && !transport.equals("tls") && !transport.equals("raw_buffer"))
        {
            throw new XdsRejection("Listener", listener, field + ".filter_chain_match.transport_protocol",
                "'" + transport + "' (supported: tls, raw_buffer)");
        }
        final List<String> serverNames = new ArrayList<>();
        for (int i = 0; i < match.getServerNamesCount(); i++)
        {
            try
            {
                final String normalised = Hostname.normalise(match.getServerNames(i));
                if (!serverNames.contains(normalised))
                {
                    serverNames.add(normalised);
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new XdsRejection("Listener", listener, field + ".filter_chain_match.server_names[" + i + "]", ex.getMessage());
            }
        }
        final List<String> alpn = List.copyOf(match.getApplicationProtocolsList());
        for (int i = 0; i < alpn.size(); i++)
        {
            if (alpn.get(i).isEmpty() || alpn.get(i).length() > 255)
            {
                throw new XdsRejection("Listener", listener, field + ".filter_chain_match.application_protocols[" + i + "]",
                    "an ALPN protocol is 1..255 bytes");
            }
        }
        final List<Cidr> sourceRanges = new ArrayList<>();
        for (int i = 0; i < match.getSourcePrefixRangesCount(); i++)
        {
            sourceRanges.add(cidr("Listener", listener, field + ".filter_chain_match.source_prefix_ranges[" + i + "]",
                match.getSourcePrefixRanges(i)));
        }

        List<Cidr> allow = sourceRanges;
        final List<Cidr> deny = new ArrayList<>();
        TcpProxy tcpProxy = null;
        for (int i = 0; i < chain.getFiltersCount(); i++)
        {
            final Filter filter = chain.getFilters(i);
            final String filterField = field + ".filters[" + i + "]";
            if (!filter.hasTypedConfig())
            {
                throw new XdsRejection("Listener", listener, filterField, "network filter '" + filter.getName()
                    + "' without typed_config (config_discovery is not supported)");
            }
            if (tcpProxy != null)
            {
                throw new XdsRejection("Listener", listener, filterField, "a filter after tcp_proxy (it is terminal)");
            }
            final String kind = typeName(filter.getTypedConfig());
            switch (kind)
            {
                case TCP_PROXY -> tcpProxy = unpack("Listener", listener, filterField + ".typed_config", filter.getTypedConfig(),
                    TcpProxy.class);
                case RBAC_FILTER ->
                {
                    final RBAC rbac = unpack("Listener", listener, filterField + ".typed_config", filter.getTypedConfig(), RBAC.class);
                    if (rbac.hasShadowRules())
                    {
                        throw new XdsRejection("Listener", listener, filterField + ".shadow_rules", "not supported");
                    }
                    if (rbac.hasMatcher() || rbac.hasShadowMatcher())
                    {
                        throw new XdsRejection("Listener", listener, filterField + ".matcher", "not supported: use rules");
                    }
                    final io.envoyproxy.envoy.config.rbac.v3.RBAC rules = rbac.getRules();
                    final List<Cidr> ranges = rbacRanges(listener, filterField + ".rules", rules);
                    switch (rules.getAction())
                    {
                        case ALLOW ->
                        {
                            if (!allow.isEmpty())
                            {
                                throw new XdsRejection("Listener", listener, filterField + ".rules", "an ALLOW policy beside "
                                    + "source_prefix_ranges or another ALLOW policy cannot be combined");
                            }
                            if (ranges.isEmpty())
                            {
                                throw new XdsRejection("Listener", listener, filterField + ".rules",
                                    "an ALLOW policy with no source ranges would refuse every connection");
                            }
                            allow = ranges;
                        }
                        case DENY -> deny.addAll(ranges);
                        default -> throw new XdsRejection("Listener", listener, filterField + ".rules.action",
                            rules.getAction() + " is not supported (ALLOW, DENY)");
                    }
                }
                case HTTP_CONNECTION_MANAGER -> throw new XdsRejection("Listener", listener, filterField,
                    "an HTTP connection manager: gatehouse is an L4 router and does not terminate HTTP");
                default -> throw new XdsRejection("Listener", listener, filterField, "unknown network filter '" + kind
                    + "' (supported: envoy.filters.network.rbac, envoy.filters.network.tcp_proxy)");
            }
        }
        if (tcpProxy == null)
        {
            throw new XdsRejection("Listener", listener, field + ".filters", "no tcp_proxy filter");
        }
        final String proxyField = field + ".filters[" + (chain.getFiltersCount() - 1) + "].typed_config";
        final List<ListenerPlan.WeightedCluster> clusters = new ArrayList<>();
        switch (tcpProxy.getClusterSpecifierCase())
        {
            case CLUSTER -> clusters.add(new ListenerPlan.WeightedCluster(tcpProxy.getCluster(), 1));
            case WEIGHTED_CLUSTERS ->
            {
                final var weighted = tcpProxy.getWeightedClusters();
                for (int i = 0; i < weighted.getClustersCount(); i++)
                {
                    final var entry = weighted.getClusters(i);
                    if (entry.hasMetadataMatch())
                    {
                        throw new XdsRejection("Listener", listener, proxyField + ".weighted_clusters.clusters[" + i
                            + "].metadata_match", "not supported");
                    }
                    if (entry.getWeight() > 0)
                    {
                        clusters.add(new ListenerPlan.WeightedCluster(entry.getName(), entry.getWeight()));
                    }
                }
                if (clusters.isEmpty())
                {
                    throw new XdsRejection("Listener", listener, proxyField + ".weighted_clusters", "no cluster with a weight above 0");
                }
            }
            default -> throw new XdsRejection("Listener", listener, proxyField, "tcp_proxy needs cluster or weighted_clusters");
        }
        for (final ListenerPlan.WeightedCluster cluster : clusters)
        {
            if (cluster.name().isEmpty())
            {
                throw new XdsRejection("Listener", listener, proxyField + ".cluster", "empty cluster name");
            }
        }
        if (tcpProxy.hasTunnelingConfig())
        {
            throw new XdsRejection("Listener", listener, proxyField + ".tunneling_config", "not supported");
        }
        if (tcpProxy.hasOnDemand())
        {
            throw new XdsRejection("Listener", listener, proxyField + ".on_demand", "not supported");
        }
        if (tcpProxy.hasMetadataMatch())
        {
            throw new XdsRejection("Listener", listener, proxyField + ".metadata_match", "not supported");
        }
        if (tcpProxy.hasMaxDownstreamConnectionDuration())
        {
            throw new XdsRejection("Listener", listener, proxyField + ".max_downstream_connection_duration", "not supported");
        }
        if (tcpProxy.hasIdleTimeout() && millis(tcpProxy.getIdleTimeout()) != idleTimeoutMs)
        {
            throw new XdsRejection("Listener", listener, proxyField + ".idle_timeout", millis(tcpProxy.getIdleTimeout())
                + " ms differs from runtime.idle_timeout (" + idleTimeoutMs + " ms), which applies to every connection");
        }
        RouteConfig.HashKey hashKey = RouteConfig.HashKey.FOUR_TUPLE;
        for (int i = 0; i < tcpProxy.getHashPolicyCount(); i++)
        {
            final var policy = tcpProxy.getHashPolicy(i);
            if (policy.hasSourceIp())
            {
                hashKey = RouteConfig.HashKey.SOURCE_IP;
            }
            else
            {
                throw new XdsRejection("Listener", listener, proxyField + ".hash_policy[" + i + "]", "only source_ip is supported");
            }
        }
        final int attempts = tcpProxy.hasMaxConnectAttempts() ? (int)Math.min(100, tcpProxy.getMaxConnectAttempts().getValue()) : 1;
        if (attempts < 1)
        {
            throw new XdsRejection("Listener", listener, proxyField + ".max_connect_attempts", "must be at least 1");
        }
        String chainName = chain.getName();
        if (chainName.isEmpty())
        {
            chainName = serverNames.isEmpty() ? "default" : serverNames.get(0);
        }
        return new ListenerPlan.Chain(chainName, List.copyOf(serverNames), alpn, List.copyOf(allow), List.copyOf(deny),
            List.copyOf(clusters), attempts, hashKey, hex(digest(listenerDigest, chain), 8));
    }

    private static void checkOverlap(final String listener, final List<ListenerPlan.Chain> chains) throws XdsRejection
    {
        final Map<String, ListenerPlan.Chain> owner = new LinkedHashMap<>();
        for (final ListenerPlan.Chain chain : chains)
        {
            for (final String name : chain.serverNames())
            {
                final ListenerPlan.Chain other = owner.putIfAbsent(name, chain);
                if (other == null)
                {
                    continue;
                }
                final boolean separable = other.alpn().isEmpty() != chain.alpn().isEmpty()
                    || (!other.alpn().isEmpty() && other.alpn().stream().noneMatch(chain.alpn()::contains));
                if (!separable)
                {
                    throw new XdsRejection("Listener", listener, "filter_chains", "chains '" + other.name() + "' and '"
                        + chain.name() + "' both match server name '" + name + "' (gatehouse tells chains of one name apart "
                        + "by disjoint application_protocols only, not by source_prefix_ranges)");
                }
            }
        }
    }

    private static List<Cidr> rbacRanges(final String listener, final String field, final io.envoyproxy.envoy.config.rbac.v3.RBAC rules)
        throws XdsRejection
    {
        final List<Cidr> ranges = new ArrayList<>();
        for (final Map.Entry<String, Policy> entry : rules.getPoliciesMap().entrySet())
        {
            final String policyField = field + ".policies['" + entry.getKey() + "']";
            final Policy policy = entry.getValue();
            if (policy.hasCondition() || policy.hasCheckedCondition())
            {
                throw new XdsRejection("Listener", listener, policyField + ".condition", "CEL conditions are not supported");
            }
            for (int i = 0; i < policy.getPermissionsCount(); i++)
            {
                if (!policy.getPermissions(i).getAny())
                {
                    throw new XdsRejection("Listener", listener, policyField + ".permissions[" + i + "]",
                        "only 'any: true' is supported (gatehouse's RBAC is by source address)");
                }
            }
            for (int i = 0; i < policy.getPrincipalsCount(); i++)
            {
                principalRanges(listener, policyField + ".principals[" + i + "]", policy.getPrincipals(i), ranges);
            }
        }
        return ranges;
    }

    private static void principalRanges(final String listener, final String field, final Principal principal, final List<Cidr> out)
        throws XdsRejection
    {
        switch (principal.getIdentifierCase())
        {
            case DIRECT_REMOTE_IP -> out.add(cidr("Listener", listener, field + ".direct_remote_ip", principal.getDirectRemoteIp()));
            case REMOTE_IP -> out.add(cidr("Listener", listener, field + ".remote_ip", principal.getRemoteIp()));
            case SOURCE_IP -> out.add(cidr("Listener", listener, field + ".source_ip", principal.getSourceIp()));
            case OR_IDS ->
            {
                for (int i = 0; i < principal.getOrIds().getIdsCount(); i++)
                {
                    principalRanges(listener, field + ".or_ids.ids[" + i + "]", principal.getOrIds().getIds(i), out);
                }
            }
            default -> throw new XdsRejection("Listener", listener, field, principal.getIdentifierCase().name().toLowerCase()
                + " is not supported (source_ip, direct_remote_ip, remote_ip, or_ids of them)");
        }
    }

    // ---------------------------------------------------------------- CDS

    /** Checks one CDS cluster. */
    ClusterPlan cluster(final Cluster cluster) throws XdsRejection
    {
        final String name = cluster.getName();
        if (name.isEmpty())
        {
            throw new XdsRejection("Cluster", "", "name", "empty");
        }
        String edsServiceName = null;
        List<BackendConfig> staticBackends = null;
        if (cluster.hasClusterType())
        {
            throw new XdsRejection("Cluster", name, "cluster_type", "custom cluster types are not supported (STATIC, EDS)");
        }
        switch (cluster.getType())
        {
            case STATIC ->
            {
                if (!cluster.hasLoadAssignment())
                {
                    throw new XdsRejection("Cluster", name, "load_assignment", "a STATIC cluster needs its endpoints");
                }
                staticBackends = endpoints("Cluster", name, "load_assignment.", cluster.getLoadAssignment());
            }
            case EDS ->
            {
                final var eds = cluster.getEdsClusterConfig();
                if (eds.hasEdsConfig() && !eds.getEdsConfig().hasAds() && !eds.getEdsConfig().hasSelf())
                {
                    throw new XdsRejection("Cluster", name, "eds_cluster_config.eds_config", "only ads (or self) is supported: "
                        + "gatehouse speaks ADS only");
                }
                edsServiceName = eds.getServiceName().isEmpty() ? name : eds.getServiceName();
            }
            default -> throw new XdsRejection("Cluster", name, "type", cluster.getType() + " is not supported (STATIC, EDS)");
        }
        if (cluster.getFiltersCount() > 0)
        {
            throw new XdsRejection("Cluster", name, "filters[0]", "upstream network filters are not supported ('"
                + cluster.getFilters(0).getName() + "')");
        }
        if (cluster.hasLoadBalancingPolicy())
        {
            throw new XdsRejection("Cluster", name, "load_balancing_policy", "not supported: use lb_policy");
        }
        final RouteConfig.Balance balance = switch (cluster.getLbPolicy())
        {
            case ROUND_ROBIN -> RouteConfig.Balance.ROUND_ROBIN;
            case LEAST_REQUEST -> RouteConfig.Balance.LEAST_CONN_P2C;
            case RING_HASH -> RouteConfig.Balance.RING_HASH;
            case MAGLEV -> RouteConfig.Balance.MAGLEV;
            default -> throw new XdsRejection("Cluster", name, "lb_policy", cluster.getLbPolicy()
                + " is not supported (ROUND_ROBIN, LEAST_REQUEST, RING_HASH, MAGLEV)");
        };
        RouteConfig.Tables tables = null;
        if (balance == RouteConfig.Balance.RING_HASH && cluster.hasRingHashLbConfig())
        {
            final var ring = cluster.getRingHashLbConfig();
            if (ring.getHashFunction() != Cluster.RingHashLbConfig.HashFunction.XX_HASH)
            {
                throw new XdsRejection("Cluster", name, "ring_hash_lb_config.hash_function", "only XX_HASH (gatehouse hashes with xxHash64)");
            }
            final long max = ring.hasMaximumRingSize() ? ring.getMaximumRingSize().getValue() : BalancerOptions.DEFAULT_RING_MAX_SIZE;
            if (max < 1 || max > MAX_RING_SIZE)
            {
                throw new XdsRejection("Cluster", name, "ring_hash_lb_config.maximum_ring_size", max + " is outside 1.." + MAX_RING_SIZE);
            }
            final long min = ring.hasMinimumRingSize() ? ring.getMinimumRingSize().getValue() : BalancerOptions.SCALED;
            if (ring.hasMinimumRingSize() && (min < 1 || min > max))
            {
                throw new XdsRejection("Cluster", name, "ring_hash_lb_config.minimum_ring_size", min + " is outside 1..maximum_ring_size ("
                    + max + ")");
            }
            tables = new RouteConfig.Tables(BalancerOptions.SCALED, (int)min, (int)max);
        }
        if (balance == RouteConfig.Balance.MAGLEV && cluster.hasMaglevLbConfig() && cluster.getMaglevLbConfig().hasTableSize())
        {
            final long size = cluster.getMaglevLbConfig().getTableSize().getValue();
            if (size < 2 || size > MAX_MAGLEV_TABLE_SIZE || !java.math.BigInteger.valueOf(size).isProbablePrime(64))
            {
                throw new XdsRejection("Cluster", name, "maglev_lb_config.table_size", size + " is not a prime in 2.."
                    + MAX_MAGLEV_TABLE_SIZE);
            }
            tables = new RouteConfig.Tables((int)size, BalancerOptions.SCALED, BalancerOptions.DEFAULT_RING_MAX_SIZE);
        }
        final long connectTimeoutMs = cluster.hasConnectTimeout() ? Math.max(1, millis(cluster.getConnectTimeout())) : 5_000;
        final RouteConfig.ProxyProtocolOut proxy = upstreamTransport(name, cluster);
        final HealthCheckConfig health = health(name, cluster);
        return new ClusterPlan(name, edsServiceName, staticBackends, balance, connectTimeoutMs, health, proxy, tables);
    }

    private static RouteConfig.ProxyProtocolOut upstreamTransport(final String name, final Cluster cluster) throws XdsRejection
    {
        if (cluster.getTransportSocketMatchesCount() > 0)
        {
            throw new XdsRejection("Cluster", name, "transport_socket_matches", "not supported: gatehouse does not originate TLS");
        }
        if (!cluster.hasTransportSocket())
        {
            return RouteConfig.ProxyProtocolOut.NONE;
        }
        final TransportSocket socket = cluster.getTransportSocket();
        final String kind = typeName(socket);
        if (RAW_BUFFER.equals(kind))
        {
            return RouteConfig.ProxyProtocolOut.NONE;
        }
        if (!UPSTREAM_PROXY_PROTOCOL.equals(kind))
        {
            throw new XdsRejection("Cluster", name, "transport_socket", "'" + kind + "' is not supported: gatehouse does not "
                + "originate TLS (raw_buffer, proxy_protocol)");
        }
        final ProxyProtocolUpstreamTransport upstream = unpack("Cluster", name, "transport_socket.typed_config",
            socket.getTypedConfig(), ProxyProtocolUpstreamTransport.class);
        if (upstream.hasTransportSocket() && !RAW_BUFFER.equals(typeName(upstream.getTransportSocket())))
        {
            throw new XdsRejection("Cluster", name, "transport_socket.typed_config.transport_socket",
                "only raw_buffer under proxy_protocol: gatehouse does not originate TLS");
        }
        final ProxyProtocolConfig config = upstream.getConfig();
        if (config.hasPassThroughTlvs())
        {
            throw new XdsRejection("Cluster", name, "transport_socket.typed_config.config.pass_through_tlvs",
                "not supported (gatehouse sends the SNI and ALPN TLVs it peeked)");
        }
        return switch (config.getVersion())
        {
            case V1 -> RouteConfig.ProxyProtocolOut.V1;
            case V2 -> RouteConfig.ProxyProtocolOut.V2;
            default -> throw new XdsRejection("Cluster", name, "transport_socket.typed_config.config.version",
                "unknown version " + config.getVersion());
        };
    }

    private static HealthCheckConfig health(final String name, final Cluster cluster) throws XdsRejection
    {
        HealthCheckConfig.Check check = HealthCheckConfig.Check.NONE;
        long interval = HealthCheckConfig.DEFAULT_INTERVAL_MS;
        long timeout = HealthCheckConfig.DEFAULT_TIMEOUT_MS;
        int rise = HealthCheckConfig.DEFAULT_RISE;
        int fall = HealthCheckConfig.DEFAULT_FALL;
        if (cluster.getHealthChecksCount() > 1)
        {
            throw new XdsRejection("Cluster", name, "health_checks", "at most one health check");
        }
        if (cluster.getHealthChecksCount() == 1)
        {
            final HealthCheck hc = cluster.getHealthChecks(0);
            if (!hc.hasTcpHealthCheck())
            {
                throw new XdsRejection("Cluster", name, "health_checks[0]", hc.getHealthCheckerCase().name().toLowerCase()
                    + " is not supported (tcp_health_check)");
            }
            if (hc.getTcpHealthCheck().hasSend() || hc.getTcpHealthCheck().getReceiveCount() > 0)
            {
                throw new XdsRejection("Cluster", name, "health_checks[0].tcp_health_check", "send/receive payloads are not "
                    + "supported (a connect that completes is the check)");
            }
            check = HealthCheckConfig.Check.TCP;
            interval = Math.max(100, millis(hc.getInterval()));
            timeout = Math.max(10, millis(hc.getTimeout()));
            rise = hc.hasHealthyThreshold() ? (int)Math.max(1, hc.getHealthyThreshold().getValue()) : 1;
            fall = hc.hasUnhealthyThreshold() ? (int)Math.max(1, hc.getUnhealthyThreshold().getValue()) : 1;
        }
        int ejectAfter = 0;
        long ejectBase = 30_000;
        long ejectMax = 300_000;
        if (cluster.hasOutlierDetection())
        {
            final OutlierDetection outlier = cluster.getOutlierDetection();
            ejectAfter = connectFailuresToEject(outlier);
            if (outlier.hasBaseEjectionTime())
            {
                ejectBase = Math.max(1, millis(outlier.getBaseEjectionTime()));
            }
            if (outlier.hasMaxEjectionTime())
            {
                ejectMax = Math.max(ejectBase, millis(outlier.getMaxEjectionTime()));
            }
            ejectMax = Math.max(ejectMax, ejectBase);
        }
        return new HealthCheckConfig(check, interval, timeout, rise, fall, Math.max(0, ejectAfter), ejectBase, ejectMax,
            HealthCheckConfig.AllDown.FAIL_CLOSED);
    }

    /**
     * After how many consecutive connect failures {@code outlier} ejects an endpoint (0: never), as Envoy counts a
     * TCP proxy's connect failure: a local-origin error, which is a 5xx and a gateway failure unless
     * {@code split_external_local_origin_errors} counts it apart. Each counter has its Envoy default threshold
     * (5) and enforcement (100% for 5xx and local origin, 0% for gateway failures); an enforcement of 0 turns
     * that counter off; the smallest threshold of those enforced wins.
     */
    private static int connectFailuresToEject(final OutlierDetection outlier)
    {
        if (outlier.getSplitExternalLocalOriginErrors())
        {
            return enforced(outlier.hasConsecutiveLocalOriginFailure(), outlier.getConsecutiveLocalOriginFailure().getValue(),
                outlier.hasEnforcingConsecutiveLocalOriginFailure(), outlier.getEnforcingConsecutiveLocalOriginFailure().getValue(), 100);
        }
        final int fiveXx = enforced(outlier.hasConsecutive5Xx(), outlier.getConsecutive5Xx().getValue(),
            outlier.hasEnforcingConsecutive5Xx(), outlier.getEnforcingConsecutive5Xx().getValue(), 100);
        final int gateway = enforced(outlier.hasConsecutiveGatewayFailure(), outlier.getConsecutiveGatewayFailure().getValue(),
            outlier.hasEnforcingConsecutiveGatewayFailure(), outlier.getEnforcingConsecutiveGatewayFailure().getValue(), 0);
        return fiveXx == 0 ? gateway : gateway == 0 ? fiveXx : Math.min(fiveXx, gateway);
    }

    private static int enforced(final boolean hasThreshold, final long threshold, final boolean hasEnforcing, final long enforcing,
        final long defaultEnforcing)
    {
        if ((hasEnforcing ? enforcing : defaultEnforcing) == 0)
        {
            return 0;
        }
        return (int)Math.min(Integer.MAX_VALUE, hasThreshold ? threshold : 5);
    }

    // ---------------------------------------------------------------- EDS

    /** One EDS assignment's endpoints that new connections may pick. */
    List<BackendConfig> assignment(final ClusterLoadAssignment assignment) throws XdsRejection
    {
        if (assignment.getClusterName().isEmpty())
        {
            throw new XdsRejection("ClusterLoadAssignment", "", "cluster_name", "empty");
        }
        return endpoints("ClusterLoadAssignment", assignment.getClusterName(), "", assignment);
    }

    /**
     * The pickable endpoints of the best priority that has one: UNHEALTHY, DRAINING and TIMEOUT endpoints are
     * left out (established connections to them keep relaying); UNKNOWN, HEALTHY and DEGRADED are picked.
     */
    private static List<BackendConfig> endpoints(final String kind, final String name, final String prefix,
        final ClusterLoadAssignment assignment) throws XdsRejection
    {
        final Map<Integer, Map<HostPort, Integer>> byPriority = new java.util.TreeMap<>();
        for (int l = 0; l < assignment.getEndpointsCount(); l++)
        {
            final LocalityLbEndpoints locality = assignment.getEndpoints(l);
            final Map<HostPort, Integer> level = byPriority.computeIfAbsent(locality.getPriority(), p -> new LinkedHashMap<>());
            for (int e = 0; e < locality.getLbEndpointsCount(); e++)
            {
                final LbEndpoint endpoint = locality.getLbEndpoints(e);
                final String field = prefix + "endpoints[" + l + "].lb_endpoints[" + e + "]";
                if (!endpoint.hasEndpoint())
                {
                    throw new XdsRejection(kind, name, field, "named endpoints (endpoint_name) are not supported");
                }
                final HostPort address = socketAddress(kind, name, field + ".endpoint.address", endpoint.getEndpoint().getAddress());
                final long weight = endpoint.hasLoadBalancingWeight() ? endpoint.getLoadBalancingWeight().getValue() : 1;
                if (weight < 1 || weight > 1000)
                {
                    throw new XdsRejection(kind, name, field + ".load_balancing_weight", weight + " is outside 1..1000");
                }
                final HealthStatus status = endpoint.getHealthStatus();
                final boolean pickable = status == HealthStatus.UNKNOWN || status == HealthStatus.HEALTHY
                    || status == HealthStatus.DEGRADED;
                if (pickable)
                {
                    level.merge(address, (int)weight, (a, b) -> Math.min(1000, a + b));
                }
            }
        }
        for (final Map<HostPort, Integer> level : byPriority.values())
        {
            if (!level.isEmpty())
            {
                final List<BackendConfig> out = new ArrayList<>(level.size());
                level.forEach((address, weight) -> out.add(new BackendConfig(address, weight)));
                return List.copyOf(out);
            }
        }
        return List.of();
    }

    // ---------------------------------------------------------------- all three

    /**
     * The listener gatehouse serves for {@code plan}, or {@code null} while a cluster it names is not known
     * yet (or its endpoints have not arrived): the caller keeps the listener's last version then.
     *
     * @param clusters    accepted CDS clusters by name.
     * @param assignments accepted EDS endpoints by service name.
     */
    ListenerConfig build(final ListenerPlan plan, final Map<String, ClusterPlan> clusters,
        final Map<String, List<BackendConfig>> assignments) throws XdsRejection
    {
        final List<RouteConfig> routes = new ArrayList<>();
        for (final ListenerPlan.Chain chain : plan.chains())
        {
            final RouteConfig route = route(plan, chain, clusters, assignments);
            if (route == null)
            {
                return null;
            }
            routes.add(route);
        }
        String defaultRoute = null;
        if (plan.defaultChain() != null)
        {
            final RouteConfig route = route(plan, plan.defaultChain(), clusters, assignments);
            if (route == null)
            {
                return null;
            }
            routes.add(route);
            defaultRoute = route.id();
        }
        return new ListenerConfig(plan.name(), plan.address(), plan.protocol(), ListenerConfig.RelayMode.COPY, List.of(), List.of(),
            routes, defaultRoute, null, 0, plan.peekTimeoutMs(), ListenerConfig.DEFAULT_PEEK_MAX_BYTES, plan.proxyProtocolFrom());
    }

    private static RouteConfig route(final ListenerPlan listener, final ListenerPlan.Chain chain,
        final Map<String, ClusterPlan> clusters, final Map<String, List<BackendConfig>> assignments) throws XdsRejection
    {
        ClusterPlan first = null;
        final Map<HostPort, Long> weights = new LinkedHashMap<>();
        long largest = 0;
        for (final ListenerPlan.WeightedCluster weighted : chain.clusters())
        {
            final ClusterPlan cluster = clusters.get(weighted.name());
            if (cluster == null)
            {
                return null;
            }
            final List<BackendConfig> backends = cluster.staticBackends() != null ? cluster.staticBackends()
                : assignments.get(cluster.edsServiceName());
            if (backends == null)
            {
                return null;
            }
            if (first == null)
            {
                first = cluster;
            }
            else if (first.balance() != cluster.balance() || first.proxyProtocol() != cluster.proxyProtocol()
                || !java.util.Objects.equals(first.tables(), cluster.tables()))
            {
                throw new XdsRejection("Listener", listener.name(), "filter chain '" + chain.name() + "' weighted_clusters",
                    "clusters '" + first.name() + "' and '" + cluster.name() + "' differ in lb_policy, its table sizes or "
                    + "proxy_protocol; one route has one of each");
            }
            for (final BackendConfig backend : backends)
            {
                final long weight = weights.merge(backend.address(), (long)backend.weight() * weighted.weight(), Long::sum);
                largest = Math.max(largest, weight);
            }
        }
        final List<BackendConfig> backends = new ArrayList<>(weights.size());
        final long scale = Math.max(1, (largest + 999) / 1000);
        weights.forEach((address, weight) -> backends.add(new BackendConfig(address, (int)Math.max(1, weight / scale))));
        return new RouteConfig(chain.serverNames(), chain.alpn(), backends, first.balance(), chain.hashKey(), first.proxyProtocol(),
            first.connectTimeoutMs(), chain.connectAttempts(), chain.allow(), chain.deny(), first.health(),
            chain.serverNames().isEmpty() || !chain.name().equals(chain.serverNames().get(0)) ? chain.name() : null,
            chain.revision(), first.tables());
    }

    // ---------------------------------------------------------------- small parts

    /** SHA-256 over {@code prefix} and the deterministic encoding of {@code message} (map fields in key order). */
    static byte[] digest(final byte[] prefix, final Message message)
    {
        final byte[] encoded = new byte[message.getSerializedSize()];
        try
        {
            final com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(encoded);
            out.useDeterministicSerialization();
            message.writeTo(out);
            out.checkNoSpaceLeft();
            final java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            if (prefix != null)
            {
                sha.update(prefix);
            }
            return sha.digest(encoded);
        }
        catch (final java.io.IOException | java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("cannot digest a " + message.getDescriptorForType().getName(), ex);
        }
    }

    private static String hex(final byte[] bytes, final int length)
    {
        return java.util.HexFormat.of().formatHex(bytes, 0, length);
    }

    static String typeName(final Any any)
    {
        final String url = any.getTypeUrl();
        final int slash = url.lastIndexOf('/');
        return slash < 0 ? url : url.substring(slash + 1);
    }

    private static String typeName(final TransportSocket socket)
    {
        return socket.hasTypedConfig() ? typeName(socket.getTypedConfig()) : socket.getName();
    }

    private static <T extends Message> T unpack(final String kind, final String name, final String field, final Any any,
        final Class<T> type) throws XdsRejection
    {
        try
        {
            return any.unpack(type);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new XdsRejection(kind, name, field, "cannot decode " + typeName(any) + ": " + ex.getMessage());
        }
    }

    private static HostPort socketAddress(final String kind, final String name, final String field, final Address address)
        throws XdsRejection
    {
        if (!address.hasSocketAddress())
        {
            throw new XdsRejection(kind, name, field, "only socket_address is supported");
        }
        final SocketAddress socket = address.getSocketAddress();
        if (socket.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE)
        {
            throw new XdsRejection(kind, name, field + ".socket_address.named_port", "named ports are not supported");
        }
        if (!socket.getResolverName().isEmpty())
        {
            throw new XdsRejection(kind, name, field + ".socket_address.resolver_name", "custom resolvers are not supported");
        }
        final String host = socket.getAddress();
        try
        {
            return HostPort.parse(host.indexOf(':') >= 0 ? "[" + host + "]:" + socket.getPortValue() : host + ":" + socket.getPortValue());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new XdsRejection(kind, name, field + ".socket_address", ex.getMessage());
        }
    }

    private static Cidr cidr(final String kind, final String name, final String field, final CidrRange range) throws XdsRejection
    {
        final int prefix = range.hasPrefixLen() ? range.getPrefixLen().getValue() : (range.getAddressPrefix().indexOf(':') >= 0 ? 128 : 32);
        try
        {
            return Cidr.parse(range.getAddressPrefix() + "/" + prefix);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new XdsRejection(kind, name, field, ex.getMessage());
        }
    }

    private static long millis(final Duration duration)
    {
        return duration.getSeconds() * 1000 + duration.getNanos() / 1_000_000;
    }
}
