package io.gatehouse.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.gatehouse.router.Await;
import io.gatehouse.router.TlsBackend;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resources istiod pushes an ingress gateway for a {@code Gateway} server with {@code tls.mode: PASSTHROUGH}
 * and a {@code VirtualService} with {@code tls} routes (written from Istio's docs and its gateway listener
 * builder): listener {@code 0.0.0.0_443} (bound to loopback here, as a test may), the tls_inspector, one filter
 * chain per SNI host with a tcp_proxy whose stat prefix and cluster are {@code outbound|443||SERVICE}, and
 * clusters of type EDS (ADS, LEAST_REQUEST, 10 s connect timeout, circuit breakers, Istio metadata) whose
 * endpoints carry localities and Istio metadata.
 *
 * <pre>
 * apiVersion: networking.istio.io/v1          apiVersion: networking.istio.io/v1
 * kind: Gateway                               kind: VirtualService
 * spec:                                       spec:
 *   selector: {istio: ingressgateway}           hosts: [nginx.example.com]
 *   servers:                                    gateways: [passthrough-gateway]
 *   - port: {number: 443, name: tls,            tls:
 *            protocol: TLS}                     - match: [{port: 443, sniHosts: [nginx.example.com]}]
 *     tls: {mode: PASSTHROUGH}                    route: [{destination: {host: my-nginx.mesh-external.svc.cluster.local,
 *     hosts: ["*.example.com"]                                           port: {number: 443}}}]
 * </pre>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IstioPassthroughTest
{
    private static final String NGINX = "outbound|443||my-nginx.mesh-external.svc.cluster.local";
    private static final String HTTPBIN = "outbound|443||httpbin.default.svc.cluster.local";

    private static Metadata istioMetadata(final String key, final String value)
    {
        return Metadata.newBuilder().putFilterMetadata("istio", Struct.newBuilder()
            .putFields(key, Value.newBuilder().setStringValue(value).build()).build()).build();
    }

    private static FilterChain passthroughChain(final String host, final String cluster)
    {
        final TcpProxy tcpProxy = TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build();
        return FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(host))
            .addFilters(Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(Any.pack(tcpProxy)))
            .setMetadata(istioMetadata("config", "/apis/networking.istio.io/v1/namespaces/default/virtual-service/passthrough"))
            .build();
    }

    private static Listener gatewayListener(final FilterChain... chains)
    {
        return Listener.newBuilder()
            .setName("0.0.0.0_443")
            .setAddress(Resources.address("127.0.0.1", 0))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .addListenerFilters(Resources.tlsInspector())
            .setListenerFiltersTimeout(Duration.newBuilder().setSeconds(5))
            .setContinueOnListenerFiltersTimeout(false)
            .addAllFilterChains(List.of(chains))
            .build();
    }

    private static Cluster istioCluster(final String name)
    {
        return Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName(name)
                .setEdsConfig(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
                    .setInitialFetchTimeout(Duration.getDefaultInstance()).setResourceApiVersion(ApiVersion.V3)))
            .setConnectTimeout(Duration.newBuilder().setSeconds(10))
            .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
            .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                .setPriority(RoutingPriority.DEFAULT).setMaxConnections(UInt32Value.of(Integer.MAX_VALUE))
                .setMaxRetries(UInt32Value.of(Integer.MAX_VALUE))))
            .setMetadata(istioMetadata("default_original_port", "443"))
            .build();
    }

    private static ClusterLoadAssignment istioEndpoints(final String name, final InetSocketAddress... pods)
    {
        final LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
            .setLocality(Locality.newBuilder().setRegion("us-central1").setZone("us-central1-a"))
            .setLoadBalancingWeight(UInt32Value.of(pods.length));
        for (final InetSocketAddress pod : pods)
        {
            locality.addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(Resources.address(pod.getAddress().getHostAddress(), pod.getPort())))
                .setHealthStatus(HealthStatus.HEALTHY)
                .setMetadata(istioMetadata("workload", "my-nginx;mesh-external;my-nginx;v1;Kubernetes"))
                .setLoadBalancingWeight(UInt32Value.of(1)));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build();
    }

    @Test
    void shouldLoadAndRouteWhatIstiodSendsAGatewayForPassthroughServers(@TempDir final Path dir) throws Exception
    {
        try (TlsBackend nginx = TlsBackend.start("nginx", TlsBackend.keystore(dir, "nginx.example.com"));
            TlsBackend httpbin = TlsBackend.start("httpbin", TlsBackend.keystore(dir, "httpbin.example.com"));
            ControlPlaneServer istiod = new ControlPlaneServer().start();
            RouterUnderXds gateway = new RouterUnderXds(dir, istiod.port(), ""))
        {
            istiod.push(Snapshot.create(
                List.of(istioCluster(NGINX), istioCluster(HTTPBIN)),
                List.of(istioEndpoints(NGINX, nginx.address()), istioEndpoints(HTTPBIN, httpbin.address())),
                List.of(gatewayListener(passthroughChain("nginx.example.com", NGINX), passthroughChain("httpbin.example.com", HTTPBIN))),
                List.of(), List.of(), "2026-12-01T10:00:00Z/1"));
            Await.until("0.0.0.0_443 is bound", () -> gateway.address("0.0.0.0_443") != null);
            final InetSocketAddress router = gateway.address("0.0.0.0_443");
            assertEquals("nginx.example.com", TlsBackend.Client.peerCommonName(router, "nginx.example.com"));
            assertEquals("httpbin.example.com", TlsBackend.Client.peerCommonName(router, "httpbin.example.com", "h2", "http/1.1"));
            assertThrows(Exception.class, () -> TlsBackend.Client.peerCommonName(router, "other.example.com"),
                "a name no chain matches is refused (Envoy: no matching filter chain)");
            Await.until("ACKed", () -> istiod.acked(XdsSource.LDS, "2026-12-01T10:00:00Z/1")
                && istiod.acked(XdsSource.EDS, "2026-12-01T10:00:00Z/1"));
            final String metrics = gateway.metrics();
            org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("listener=\"0.0.0.0_443\"") && metrics.contains("nginx.example.com"), metrics);
        }
    }
}
