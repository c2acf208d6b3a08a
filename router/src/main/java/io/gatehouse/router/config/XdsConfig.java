package io.gatehouse.router.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the listeners of an xDS-fed router come from (YAML {@code xds:}): an ADS server, the node
 * identity the control plane groups this router by, and the TLS material for a server that is not on
 * loopback. The router itself never reads this; the {@code xds} module's source does.
 *
 * @param server      the ADS server, {@code host:port}.
 * @param nodeId      {@code node.id} sent to the control plane.
 * @param nodeCluster {@code node.cluster} sent to the control plane.
 * @param tls         client TLS to the server, or {@code null} for plaintext (loopback servers only).
 * @param metadata    {@code node.metadata} sent to the control plane (istiod selects a gateway's config by
 *                    its {@code LABELS}): values are strings, lists and maps of them, in file order.
 */
public record XdsConfig(HostPort server, String nodeId, String nodeCluster, Tls tls, Map<String, Object> metadata)
{
    public XdsConfig
    {
        Objects.requireNonNull(server);
        Objects.requireNonNull(nodeId);
        nodeCluster = nodeCluster == null ? "" : nodeCluster;
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    /** Without node metadata. */
    public XdsConfig(final HostPort server, final String nodeId, final String nodeCluster, final Tls tls)
    {
        this(server, nodeId, nodeCluster, tls, Map.of());
    }

    /**
     * PEM files for TLS to the ADS server.
     *
     * @param ca   the CA bundle the server's certificate must chain to.
     * @param cert this router's client certificate, or {@code null} for no client certificate.
     * @param key  the client certificate's private key (PKCS#8 PEM), with {@code cert}.
     */
    public record Tls(Path ca, Path cert, Path key)
    {
    }
}
