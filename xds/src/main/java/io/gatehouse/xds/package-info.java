/**
 * gatehouse as an xDS data plane: {@link io.gatehouse.xds.XdsSource} is a
 * {@link io.gatehouse.router.control.ConfigSource} whose listeners come from an ADS server
 * ({@code envoy.service.discovery.v3.AggregatedDiscoveryService}, state of the world). {@link io.gatehouse.xds.AdsClient}
 * holds the gRPC stream (reconnect with jittered backoff, ACK/NACK as Envoy does);
 * {@link io.gatehouse.xds.XdsTranslator} turns LDS {@code Listener}s, CDS {@code Cluster}s and EDS
 * {@code ClusterLoadAssignment}s into the router's immutable {@link io.gatehouse.router.config.ListenerConfig}s,
 * or rejects a resource with an error detail naming it and its field. The router never sees a proto: it
 * gets the same config a file reload produces.
 *
 * <p>Threads: one, {@code gatehouse-xds} (the gRPC callbacks, the translation, the offer to the reloader,
 * reconnects); {@code start}/{@code close} on the main thread; metrics and versions are read by the admin
 * thread through volatile fields. Control path only: allocates freely; never touches an event loop.
 */
package io.gatehouse.xds;
