package io.gatehouse.xds;

import static io.gatehouse.xds.Resources.address;
import static io.gatehouse.xds.Resources.assignment;
import static io.gatehouse.xds.Resources.edsCluster;
import static io.gatehouse.xds.Resources.listener;
import static io.gatehouse.xds.Resources.sniChain;
import static io.gatehouse.xds.Resources.tcpProxy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatehouse.balancer.BalancerOptions;
import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.ProxyProtocolConfig;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field by field: what each Envoy resource becomes, and the error detail of each NACK (real protos, no server). */
class XdsTranslatorTest
{
    private final XdsTranslator translator = new XdsTranslator(300_000);

    private String rejection(final Listener listener)
    {
        return assertThrows(XdsRejection.class, () -> translator.listener(listener)).getMessage();
    }

    private String rejection(final Cluster cluster)
    {
        return assertThrows(XdsRejection.class, () -> translator.cluster(cluster)).getMessage();
    }

    private static FilterChain chain(final String serverName, final Filter... filters)
    {
        return FilterChain.newBuilder().setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(serverName))
            .addAllFilters(List.of(filters)).build();
    }

    private static Filter filter(final String name, final com.google.protobuf.Message config)
    {
        return Filter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
    }

    @Test
    void shouldNackWhatGatehouseCannotHonourNamingTheResourceAndField() throws Exception
    {
        final Map<Listener, String> cases = new java.util.LinkedHashMap<>();
        cases.put(listener("l", chain("a.test", filter("envoy.filters.network.http_connection_manager",
            HttpConnectionManager.getDefaultInstance()))),
            "Listener 'l': filter_chains[0].filters[0]: an HTTP connection manager: gatehouse is an L4 router and does not "
                + "terminate HTTP");
        cases.put(listener("l", chain("a.test", filter("x", Struct.getDefaultInstance()), tcpProxy("c"))),
            "Listener 'l': filter_chains[0].filters[0]: unknown network filter 'google.protobuf.Struct' (supported: "
                + "envoy.filters.network.rbac, envoy.filters.network.tcp_proxy)");
        cases.put(listener("l", chain("a.test")), "Listener 'l': filter_chains[0].filters: no tcp_proxy filter");
        cases.put(listener("l", chain("a.test", tcpProxy("c"), tcpProxy("d"))),
            "Listener 'l': filter_chains[0].filters[1]: a filter after tcp_proxy (it is terminal)");
        cases.put(listener("l", sniChain("a.test", "c").toBuilder().setTransportSocket(TransportSocket.newBuilder()
            .setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(
                io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDefaultInstance()))).build()),
            "Listener 'l': filter_chains[0].transport_socket: terminates TLS "
                + "(envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext); gatehouse only passes TLS through");
        cases.put(listener("l", sniChain("a.test", "c")).toBuilder().addListenerFilters(ListenerFilter.newBuilder()
            .setName("envoy.filters.listener.original_dst")).build(),
            "Listener 'l': listener_filters[1]: unknown listener filter 'envoy.filters.listener.original_dst' (supported: "
                + "tls_inspector, http_inspector, proxy_protocol)");
        cases.put(listener("l", chain("a.test", filter("envoy.filters.network.tcp_proxy", TcpProxy.newBuilder().setCluster("c")
            .setIdleTimeout(Duration.newBuilder().setSeconds(3600)).build()))),
            "Listener 'l': filter_chains[0].filters[0].typed_config.idle_timeout: 3600000 ms differs from runtime.idle_timeout "
                + "(300000 ms), which applies to every connection");
        cases.put(listener("l", sniChain("a.test", "c"), sniChain("A.test.", "d")),
            "Listener 'l': filter_chains: chains 'a.test' and 'a.test#1' both match server name 'a.test' (gatehouse tells chains of "
                + "one name apart by disjoint application_protocols only, not by source_prefix_ranges)");
        cases.put(listener("l", sniChain("a..test", "c")),
            "Listener 'l': filter_chains[0].filter_chain_match.server_names[0]: empty label in hostname 'a..test'");
        cases.put(listener("l", sniChain("a.test", "c")).toBuilder().setBindToPort(BoolValue.of(false)).build(),
            "Listener 'l': bind_to_port: false is not supported: gatehouse binds every listener");
        cases.put(listener("l", sniChain("a.test", "c")).toBuilder().setPerConnectionBufferLimitBytes(UInt32Value.of(4096)).build(),
            "Listener 'l': per_connection_buffer_limit_bytes: 4096 is below 65536, the most gatehouse may hold per direction");
        cases.put(Listener.newBuilder().setName("l").setAddress(address("127.0.0.1", 0)).addFilterChains(sniChain("a.test", "c")).build(),
            "Listener 'l': listener_filters: chains match server_names but there is no tls_inspector or http_inspector to read them");
        cases.put(listener("l", sniChain("a.test", "c")).toBuilder().addListenerFilters(ListenerFilter.newBuilder()
            .setName("envoy.filters.listener.proxy_protocol").setTypedConfig(Any.pack(ProxyProtocol.newBuilder()
                .addDisallowedVersions(ProxyProtocolConfig.Version.V1).build()))).build(),
            "Listener 'l': listener_filters[1].disallowed_versions: not supported: gatehouse accepts PROXY v1 and v2");
        cases.put(listener("l", sniChain("a.test", "c")).toBuilder().setListenerFilters(0, Resources.tlsInspector().toBuilder()
            .setFilterDisabled(io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate.newBuilder()
                .setAnyMatch(true))).build(),
            "Listener 'l': listener_filters[0].filter_disabled: not supported: gatehouse runs every listener filter on every "
                + "connection");
        cases.put(listener("l", sniChain("a.test", "c")).toBuilder().setContinueOnListenerFiltersTimeout(true).build(),
            "Listener 'l': continue_on_listener_filters_timeout: not supported: a connection that has not shown its name by "
                + "listener_filters_timeout is closed");
        final FilterChain inside = sniChain("a.test", "c").toBuilder().setFilterChainMatch(FilterChainMatch.newBuilder()
            .addServerNames("a.test").addSourcePrefixRanges(CidrRange.newBuilder().setAddressPrefix("10.0.0.0")
                .setPrefixLen(UInt32Value.of(8)))).build();
        cases.put(listener("l", inside).toBuilder().setDefaultFilterChain(FilterChain.newBuilder().addFilters(tcpProxy("d"))).build(),
            "Listener 'l': filter_chains[0].filter_chain_match.source_prefix_ranges: beside a default chain: Envoy sends the "
                + "other sources to the default chain, gatehouse refuses them (use an rbac filter, or no default chain)");
        for (final Map.Entry<Listener, String> entry : cases.entrySet())
        {
            assertEquals(entry.getValue(), rejection(entry.getKey()));
        }
        assertEquals(List.of(Cidr.parse("10.0.0.0/8")), translator.listener(listener("l", inside)).chains().get(0).allow(),
            "without a default chain, a source outside the ranges is refused, as Envoy closes a connection no chain matches");
    }

    @Test
    void shouldNackClustersThatOriginateTlsOrUseAPolicyGatehouseDoesNotHave()
    {
        assertEquals("Cluster 'c': transport_socket: 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext' is not "
            + "supported: gatehouse does not originate TLS (raw_buffer, proxy_protocol)", rejection(edsCluster("c").toBuilder()
            .setTransportSocket(TransportSocket.newBuilder().setName("tls").setTypedConfig(Any.pack(UpstreamTlsContext
                .getDefaultInstance()))).build()));
        assertEquals("Cluster 'c': lb_policy: RANDOM is not supported (ROUND_ROBIN, LEAST_REQUEST, RING_HASH, MAGLEV)",
            rejection(edsCluster("c").toBuilder().setLbPolicy(Cluster.LbPolicy.RANDOM).build()));
        assertEquals("Cluster 'c': type: STRICT_DNS is not supported (STATIC, EDS)",
            rejection(edsCluster("c").toBuilder().setType(Cluster.DiscoveryType.STRICT_DNS).build()));
        assertEquals("Cluster 'c': maglev_lb_config.table_size: 65536 is not a prime in 2..5000011",
            rejection(edsCluster("c").toBuilder().setLbPolicy(Cluster.LbPolicy.MAGLEV).setMaglevLbConfig(
                Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(65_536))).build()));
        assertEquals("Cluster 'c': ring_hash_lb_config.minimum_ring_size: 4096 is outside 1..maximum_ring_size (1024)",
            rejection(edsCluster("c").toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(
                Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(4096))
                    .setMaximumRingSize(UInt64Value.of(1024))).build()));
        assertEquals("Cluster 'c': ring_hash_lb_config.maximum_ring_size: 8388609 is outside 1..8388608",
            rejection(edsCluster("c").toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(
                Cluster.RingHashLbConfig.newBuilder().setMaximumRingSize(UInt64Value.of(8_388_609))).build()));
        assertEquals("Cluster 'c': health_checks[0]: http_health_check is not supported (tcp_health_check)",
            rejection(edsCluster("c").toBuilder().addHealthChecks(HealthCheck.newBuilder().setHttpHealthCheck(
                HealthCheck.HttpHealthCheck.newBuilder().setPath("/"))).build()));
    }

    @Test
    void shouldTranslateAClusterPolicyHealthChecksOutlierDetectionAndUpstreamProxyProtocol() throws Exception
    {
        final Cluster cluster = edsCluster("c").toBuilder()
            .setLbPolicy(Cluster.LbPolicy.RING_HASH)
            .setConnectTimeout(Duration.newBuilder().setNanos(250_000_000))
            .addHealthChecks(HealthCheck.newBuilder().setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance())
                .setInterval(Duration.newBuilder().setSeconds(2)).setTimeout(Duration.newBuilder().setNanos(500_000_000))
                .setHealthyThreshold(UInt32Value.of(2)).setUnhealthyThreshold(UInt32Value.of(3)))
            .setOutlierDetection(OutlierDetection.newBuilder().setSplitExternalLocalOriginErrors(true)
                .setConsecutiveLocalOriginFailure(UInt32Value.of(4))
                .setBaseEjectionTime(Duration.newBuilder().setSeconds(10)))
            .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.upstream_proxy_protocol")
                .setTypedConfig(Any.pack(ProxyProtocolUpstreamTransport.newBuilder().setConfig(ProxyProtocolConfig.newBuilder()
                    .setVersion(ProxyProtocolConfig.Version.V2)).build())))
            .build();
        final ClusterPlan plan = translator.cluster(cluster);
        assertEquals(RouteConfig.Balance.RING_HASH, plan.balance());
        assertEquals(250, plan.connectTimeoutMs());
        assertEquals(RouteConfig.ProxyProtocolOut.V2, plan.proxyProtocol());
        assertEquals(new HealthCheckConfig(HealthCheckConfig.Check.TCP, 2_000, 500, 2, 3, 4, 10_000, 300_000,
            HealthCheckConfig.AllDown.FAIL_CLOSED), plan.health());
        assertEquals("c", plan.edsServiceName());
        assertEquals(0, translator.cluster(edsCluster("d")).health().ejectAfterFailures(), "no outlier_detection: no ejection");
    }

    @Test
    void shouldPickOnlyHealthyEndpointsOfTheBestPriorityWithTheirWeights() throws Exception
    {
        final InetSocketAddress a = new InetSocketAddress("127.0.0.1", 9001);
        final InetSocketAddress b = new InetSocketAddress("127.0.0.1", 9002);
        final InetSocketAddress c = new InetSocketAddress("127.0.0.1", 9003);
        final InetSocketAddress d = new InetSocketAddress("127.0.0.1", 9004);
        final ClusterLoadAssignment assignment = ClusterLoadAssignment.newBuilder().setClusterName("c")
            .addEndpoints(LocalityLbEndpoints.newBuilder().setPriority(0)
                .addLbEndpoints(Resources.endpoint(a, HealthStatus.HEALTHY, 3))
                .addLbEndpoints(Resources.endpoint(b, HealthStatus.DRAINING, 1))
                .addLbEndpoints(Resources.endpoint(c, HealthStatus.UNKNOWN, 1)))
            .addEndpoints(LocalityLbEndpoints.newBuilder().setPriority(1)
                .addLbEndpoints(Resources.endpoint(d, HealthStatus.HEALTHY, 1)))
            .build();
        assertEquals(List.of(new BackendConfig(new HostPort("127.0.0.1", 9001), 3), new BackendConfig(new HostPort("127.0.0.1", 9003), 1)),
            translator.assignment(assignment));
        final ClusterLoadAssignment failedOver = assignment.toBuilder().setEndpoints(0, LocalityLbEndpoints.newBuilder()
            .addLbEndpoints(Resources.endpoint(a, HealthStatus.UNHEALTHY, 1))).build();
        assertEquals(List.of(new BackendConfig(new HostPort("127.0.0.1", 9004), 1)), translator.assignment(failedOver),
            "a priority with nothing pickable fails over to the next");
    }

    @Test
    void shouldBuildRoutesFromChainsWithRbacAllowAndDenyAlpnWeightedClustersAndADefaultChain() throws Exception
    {
        final RBAC rbac = RBAC.newBuilder().setStatPrefix("r").setRules(io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder()
            .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.DENY)
            .putPolicies("blocked", Policy.newBuilder().addPermissions(Permission.newBuilder().setAny(true))
                .addPrincipals(Principal.newBuilder().setRemoteIp(CidrRange.newBuilder().setAddressPrefix("192.0.2.0")
                    .setPrefixLen(UInt32Value.of(24)))).build())).build();
        final TcpProxy weighted = TcpProxy.newBuilder().setStatPrefix("w").setWeightedClusters(TcpProxy.WeightedCluster.newBuilder()
            .addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder().setName("c1").setWeight(3))
            .addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder().setName("c2").setWeight(1)))
            .setMaxConnectAttempts(UInt32Value.of(3))
            .addHashPolicy(io.envoyproxy.envoy.type.v3.HashPolicy.newBuilder().setSourceIp(
                io.envoyproxy.envoy.type.v3.HashPolicy.SourceIp.getDefaultInstance()))
            .build();
        final RBAC allowed = RBAC.newBuilder().setStatPrefix("a").setRules(io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder()
            .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW)
            .putPolicies("inside", Policy.newBuilder().addPermissions(Permission.newBuilder().setAny(true))
                .addPrincipals(Principal.newBuilder().setSourceIp(CidrRange.newBuilder().setAddressPrefix("10.0.0.0")
                    .setPrefixLen(UInt32Value.of(8)))).build())).build();
        final FilterChain h2 = FilterChain.newBuilder().setName("api-h2")
            .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames("*.api.test").addApplicationProtocols("h2"))
            .addFilters(filter("envoy.filters.network.rbac", allowed))
            .addFilters(filter("envoy.filters.network.rbac", rbac))
            .addFilters(filter("envoy.filters.network.tcp_proxy", weighted)).build();
        final Listener listener = listener("l", h2, sniChain("*.api.test", "c1")).toBuilder()
            .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.proxy_protocol")
                .setTypedConfig(Any.pack(ProxyProtocol.getDefaultInstance())))
            .setDefaultFilterChain(FilterChain.newBuilder().setName("fallback").addFilters(tcpProxy("c2"))).build();
        final ListenerPlan plan = translator.listener(listener);
        final Map<String, ClusterPlan> clusters = Map.of("c1", translator.cluster(edsCluster("c1")), "c2",
            translator.cluster(edsCluster("c2")));
        assertNull(translator.build(plan, clusters, Map.of()), "warming: no endpoints yet");
        final Map<String, List<BackendConfig>> endpoints = Map.of(
            "c1", translator.assignment(assignment("c1", new InetSocketAddress("127.0.0.1", 9001))),
            "c2", translator.assignment(assignment("c2", new InetSocketAddress("127.0.0.1", 9002))));
        final ListenerConfig built = translator.build(plan, clusters, endpoints);
        assertEquals(ListenerConfig.Protocol.TLS, built.protocol());
        assertEquals(List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")), built.proxyProtocolFrom());
        assertEquals("fallback", built.defaultRoute());
        final RouteConfig api = built.routes().get(0);
        assertEquals("api-h2", api.id());
        assertEquals(List.of("*.api.test"), api.hostnames());
        assertEquals(List.of("h2"), api.alpn());
        assertEquals(List.of(Cidr.parse("10.0.0.0/8")), api.allow());
        assertEquals(List.of(Cidr.parse("192.0.2.0/24")), api.deny());
        assertEquals(3, api.connectAttempts());
        assertEquals(RouteConfig.HashKey.SOURCE_IP, api.hashKey());
        assertEquals(List.of(new BackendConfig(new HostPort("127.0.0.1", 9001), 3), new BackendConfig(new HostPort("127.0.0.1", 9002), 1)),
            api.backends());
        final RouteConfig plain = built.routes().get(1);
        assertEquals("*.api.test", plain.id(), "a chain without a name is named by its first server name");
        assertEquals(1, plain.connectAttempts(), "Envoy's default max_connect_attempts");
        assertEquals(RouteConfig.HashKey.FOUR_TUPLE, plain.hashKey());
        final RouteConfig fallback = built.routes().get(2);
        assertEquals("fallback", fallback.id());
        assertEquals(List.of(), fallback.hostnames());
    }

    @Test
    void shouldGiveAChainANewRevisionWhenItOrItsListenerChangesAndKeepItOtherwise() throws Exception
    {
        final Listener before = listener("l", sniChain("keep.test", "c"), sniChain("change.test", "c"));
        final Listener chainChanged = listener("l", sniChain("keep.test", "c"), sniChain("change.test", "d"));
        final Listener listenerChanged = before.toBuilder().setListenerFiltersTimeout(Duration.newBuilder().setSeconds(9)).build();
        final List<ListenerPlan.Chain> a = translator.listener(before).chains();
        final List<ListenerPlan.Chain> b = translator.listener(chainChanged).chains();
        final List<ListenerPlan.Chain> c = translator.listener(listenerChanged).chains();
        assertEquals(a.get(0).revision(), translator.listener(before).chains().get(0).revision(), "the same chain, the same revision");
        assertEquals(a.get(0).revision(), b.get(0).revision(), "a chain beside a changed one keeps its revision");
        assertNotEquals(a.get(1).revision(), b.get(1).revision(), "a changed chain (its tcp_proxy cluster) gets a new one");
        assertNotEquals(a.get(0).revision(), c.get(0).revision(), "a listener field changed: every chain gets a new one, as Envoy "
            + "drains the whole listener then");
    }

    @Test
    void shouldCarryMaglevTableSizeAndRingSizesToTheRoute() throws Exception
    {
        final ClusterPlan maglev = translator.cluster(edsCluster("m").toBuilder().setLbPolicy(Cluster.LbPolicy.MAGLEV)
            .setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(251))).build());
        assertEquals(new RouteConfig.Tables(251, BalancerOptions.SCALED, 8_388_608), maglev.tables());
        final ClusterPlan ring = translator.cluster(edsCluster("r").toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH)
            .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(1024))
                .setMaximumRingSize(UInt64Value.of(4096))).build());
        assertEquals(new RouteConfig.Tables(BalancerOptions.SCALED, 1024, 4096), ring.tables());
        final ClusterPlan capped = translator.cluster(edsCluster("r").toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH)
            .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMaximumRingSize(UInt64Value.of(4096))).build());
        assertEquals(new RouteConfig.Tables(BalancerOptions.SCALED, BalancerOptions.SCALED, 4096), capped.tables(),
            "no minimum: gatehouse's default for the pool, within the maximum");
        assertNull(translator.cluster(edsCluster("d")).tables(), "no table config: gatehouse's sizes");

        final ListenerPlan plan = translator.listener(listener("l", sniChain("m.test", "m")));
        final ListenerConfig built = translator.build(plan, Map.of("m", maglev),
            Map.of("m", translator.assignment(assignment("m", new InetSocketAddress("127.0.0.1", 9001)))));
        assertEquals(new RouteConfig.Tables(251, BalancerOptions.SCALED, 8_388_608), built.routes().get(0).tables());
    }

    @Test
    void shouldEjectAfterConsecutiveConnectFailuresAsEnvoyCountsThemForATcpProxy() throws Exception
    {
        final Map<OutlierDetection, Integer> cases = new java.util.LinkedHashMap<>();
        cases.put(OutlierDetection.getDefaultInstance(), 5);
        cases.put(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(3)).build(), 3);
        cases.put(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(3)).setEnforcingConsecutive5Xx(UInt32Value.of(0))
            .build(), 0);
        cases.put(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(0)).build(), 0);
        cases.put(OutlierDetection.newBuilder().setConsecutiveGatewayFailure(UInt32Value.of(2)).build(), 5);
        cases.put(OutlierDetection.newBuilder().setConsecutiveGatewayFailure(UInt32Value.of(2))
            .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100)).build(), 2);
        cases.put(OutlierDetection.newBuilder().setConsecutiveLocalOriginFailure(UInt32Value.of(7)).build(), 5);
        cases.put(OutlierDetection.newBuilder().setSplitExternalLocalOriginErrors(true)
            .setConsecutiveLocalOriginFailure(UInt32Value.of(7)).setConsecutive5Xx(UInt32Value.of(2)).build(), 7);
        for (final Map.Entry<OutlierDetection, Integer> entry : cases.entrySet())
        {
            assertEquals(entry.getValue(), translator.cluster(edsCluster("c").toBuilder().setOutlierDetection(entry.getKey()).build())
                .health().ejectAfterFailures(), entry.getKey().toString());
        }
    }

    @Test
    void shouldPeekOnlyTheTransportTheChainsMatch() throws Exception
    {
        final ListenerFilter http = ListenerFilter.newBuilder().setName("envoy.filters.listener.http_inspector").build();
        final FilterChain tls = sniChain("a.test", "c").toBuilder().setFilterChainMatch(FilterChainMatch.newBuilder()
            .addServerNames("a.test").setTransportProtocol("tls")).build();
        final FilterChain plain = sniChain("a.test", "c").toBuilder().setFilterChainMatch(FilterChainMatch.newBuilder()
            .addServerNames("a.test").setTransportProtocol("raw_buffer")).build();
        assertEquals(ListenerConfig.Protocol.AUTO, translator.listener(listener("l", sniChain("a.test", "c")).toBuilder()
            .addListenerFilters(http).build()).protocol(), "both inspectors, no transport_protocol: TLS and HTTP");
        assertEquals(ListenerConfig.Protocol.TLS, translator.listener(listener("l", tls).toBuilder().addListenerFilters(http).build())
            .protocol(), "transport_protocol tls: a plaintext request does not reach a TLS chain");
        assertEquals(ListenerConfig.Protocol.HTTP, translator.listener(listener("l", plain).toBuilder().addListenerFilters(http)
            .build()).protocol());
        assertEquals("Listener 'l': listener_filters: chains match transport_protocol 'raw_buffer': gatehouse reads plaintext "
            + "through the http_inspector only", rejection(listener("l", plain)));
    }
}
