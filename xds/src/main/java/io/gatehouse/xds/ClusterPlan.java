package io.gatehouse.xds;

import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.RouteConfig;
import java.util.List;

/**
 * What an accepted CDS {@code Cluster} means to gatehouse: how a route sending to it picks and connects.
 *
 * @param name             the cluster's name (what {@code tcp_proxy.cluster} names).
 * @param edsServiceName   the ClusterLoadAssignment it waits for ({@code type: EDS}), or {@code null} for STATIC.
 * @param staticBackends   a STATIC cluster's endpoints (pickable ones only), or {@code null} for EDS.
 * @param balance          from {@code lb_policy}.
 * @param connectTimeoutMs from {@code connect_timeout}.
 * @param health           from {@code health_checks} (TCP) and {@code outlier_detection}.
 * @param proxyProtocol    from the upstream {@code proxy_protocol} transport socket.
 * @param tables           from {@code maglev_lb_config.table_size} or {@code ring_hash_lb_config}, or {@code null}
 *                         for gatehouse's sizes.
 */
record ClusterPlan(
    String name,
    String edsServiceName,
    List<BackendConfig> staticBackends,
    RouteConfig.Balance balance,
    long connectTimeoutMs,
    HealthCheckConfig health,
    RouteConfig.ProxyProtocolOut proxyProtocol,
    RouteConfig.Tables tables)
{
}
