package io.gatehouse.xds;

import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import java.util.List;

/**
 * What an accepted LDS {@code Listener} means to gatehouse, before its clusters are known: checked in
 * itself, it becomes a {@link ListenerConfig} once every cluster it names is (see {@link XdsTranslator#build}).
 *
 * @param name              the LDS resource name (the listener's name in metrics, logs and /config).
 * @param address           {@code address.socket_address}.
 * @param protocol          from the listener filters (tls_inspector, http_inspector).
 * @param peekTimeoutMs     {@code listener_filters_timeout}, or gatehouse's default.
 * @param proxyProtocolFrom every source when the proxy_protocol listener filter is present (as Envoy), else none.
 * @param chains            the filter chains that name servers, ALPN or sources, in order.
 * @param defaultChain      {@code default_filter_chain} or the one chain that matches everything, or {@code null}.
 */
record ListenerPlan(
    String name,
    HostPort address,
    ListenerConfig.Protocol protocol,
    long peekTimeoutMs,
    List<Cidr> proxyProtocolFrom,
    List<Chain> chains,
    Chain defaultChain)
{
    /** Every cluster any chain sends to. */
    List<String> clusters()
    {
        final java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (final Chain chain : chains)
        {
            chain.clusters().forEach(c -> names.add(c.name()));
        }
        if (defaultChain != null)
        {
            defaultChain.clusters().forEach(c -> names.add(c.name()));
        }
        return List.copyOf(names);
    }

    /**
     * One filter chain: its match and its tcp_proxy.
     *
     * @param name            the chain's name, or its first server name, or {@code "default"}.
     * @param serverNames     normalised exact names and {@code *.} wildcards; empty = any name.
     * @param alpn            {@code application_protocols}.
     * @param allow           {@code source_prefix_ranges}, or an rbac ALLOW policy's source ranges; empty = all.
     * @param deny            an rbac DENY policy's source ranges.
     * @param clusters        {@code cluster}, or {@code weighted_clusters} with their weights.
     * @param connectAttempts {@code max_connect_attempts} (Envoy's default 1).
     * @param hashKey         {@code hash_policy: source_ip}, else the 4-tuple.
     * @param revision        a digest of the chain and of its listener's other fields (the route's
     *                        {@link RouteConfig#revision()}): another one under the same name is a changed chain,
     *                        whose old connections drain, as Envoy drains them.
     */
    record Chain(
        String name,
        List<String> serverNames,
        List<String> alpn,
        List<Cidr> allow,
        List<Cidr> deny,
        List<WeightedCluster> clusters,
        int connectAttempts,
        RouteConfig.HashKey hashKey,
        String revision)
    {
    }

    /** A cluster a chain sends to, and its share. */
    record WeightedCluster(String name, int weight)
    {
    }
}
