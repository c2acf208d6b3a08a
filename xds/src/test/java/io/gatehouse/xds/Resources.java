package io.gatehouse.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.net.InetSocketAddress;
import java.util.List;

/** Envoy API resources as a control plane writes them, for the tests. */
final class Resources
{
    private Resources()
    {
    }

    static Address address(final String host, final int port)
    {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port)).build();
    }

    static ListenerFilter tlsInspector()
    {
        return ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector")
            .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())).build();
    }

    static Filter tcpProxy(final String cluster)
    {
        return Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
            .setTypedConfig(Any.pack(TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build())).build();
    }

    static FilterChain sniChain(final String serverName, final String cluster)
    {
        return FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(serverName))
            .addFilters(tcpProxy(cluster)).build();
    }

    /** A listener on 127.0.0.1, port 0 (the router binds an ephemeral port), with tls_inspector. */
    static Listener listener(final String name, final FilterChain... chains)
    {
        return Listener.newBuilder().setName(name).setAddress(address("127.0.0.1", 0)).addListenerFilters(tlsInspector())
            .addAllFilterChains(List.of(chains)).build();
    }

    static Cluster edsCluster(final String name)
    {
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName(name)
                .setEdsConfig(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
            .setConnectTimeout(Duration.newBuilder().setSeconds(2))
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN).build();
    }

    static Cluster staticCluster(final String name, final InetSocketAddress... endpoints)
    {
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(Duration.newBuilder().setSeconds(2))
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
            .setLoadAssignment(assignment(name, endpoints)).build();
    }

    static LbEndpoint endpoint(final InetSocketAddress address, final HealthStatus status, final int weight)
    {
        return LbEndpoint.newBuilder()
            .setEndpoint(Endpoint.newBuilder().setAddress(address(address.getAddress().getHostAddress(), address.getPort())))
            .setHealthStatus(status)
            .setLoadBalancingWeight(UInt32Value.of(weight)).build();
    }

    static ClusterLoadAssignment assignment(final String cluster, final InetSocketAddress... endpoints)
    {
        final LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
        for (final InetSocketAddress endpoint : endpoints)
        {
            locality.addLbEndpoints(endpoint(endpoint, HealthStatus.HEALTHY, 1));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
    }
}
