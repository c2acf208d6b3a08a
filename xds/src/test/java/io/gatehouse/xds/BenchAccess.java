package io.gatehouse.xds;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** The test fixtures (package-private) for the benchmark program in {@code bench}. */
public final class BenchAccess implements AutoCloseable
{
    public static final String EDS = XdsSource.EDS;

    private final ControlPlaneServer server;
    private final RouterUnderXds router;

    private BenchAccess(final ControlPlaneServer server, final RouterUnderXds router)
    {
        this.server = server;
        this.router = router;
    }

    public static BenchAccess start(final Path dir) throws Exception
    {
        final ControlPlaneServer server = new ControlPlaneServer().start();
        return new BenchAccess(server, new RouterUnderXds(dir, server.port(), "", false));
    }

    public void push(final Snapshot snapshot)
    {
        server.push(snapshot);
    }

    public InetSocketAddress address(final String listener)
    {
        return router.address(listener);
    }

    /** Waits (bounded by {@code deadlineNs}) until gatehouse ACKed {@code version} of {@code typeUrl}. */
    public void awaitAck(final String typeUrl, final String version, final long deadlineNs) throws InterruptedException
    {
        final int seen = server.requests.size();
        while (!server.acked(typeUrl, version))
        {
            for (int i = seen; i < server.requests.size(); i++)
            {
                if (server.requests.get(i).hasErrorDetail())
                {
                    throw new IllegalStateException("NACK: " + server.requests.get(i).getErrorDetail().getMessage());
                }
            }
            if (deadlineNs - System.nanoTime() < 0)
            {
                throw new IllegalStateException("no ACK of " + version);
            }
            Thread.sleep(0, 200_000);
        }
    }

    public static Cluster edsCluster(final String name, final Cluster.LbPolicy policy)
    {
        return Resources.edsCluster(name).toBuilder().setLbPolicy(policy).build();
    }

    public static Listener listener(final String name, final FilterChain... chains)
    {
        return Resources.listener(name, chains);
    }

    public static FilterChain sniChain(final String serverName, final String cluster)
    {
        return Resources.sniChain(serverName, cluster);
    }

    public static ClusterLoadAssignment assignment(final String cluster, final InetSocketAddress... endpoints)
    {
        return Resources.assignment(cluster, endpoints);
    }

    public static LbEndpoint endpoint(final InetSocketAddress address, final HealthStatus status, final int weight)
    {
        return Resources.endpoint(address, status, weight);
    }

    /**
     * The xds module's own share of an EDS update, without gRPC or the router: decoding nothing, only
     * {@link XdsTranslator#assignment} and {@link XdsTranslator#build} for one listener over {@code cluster}.
     *
     * @return nanoseconds taken.
     */
    public static long translateNs(final Cluster cluster, final ClusterLoadAssignment assignment, final Listener listener)
        throws XdsRejection
    {
        final XdsTranslator translator = new XdsTranslator(300_000);
        final long startNs = System.nanoTime();
        final ListenerPlan plan = translator.listener(listener);
        final ClusterPlan clusterPlan = translator.cluster(cluster);
        final var endpoints = translator.assignment(assignment);
        if (translator.build(plan, java.util.Map.of(cluster.getName(), clusterPlan),
            java.util.Map.of(clusterPlan.edsServiceName(), endpoints)) == null)
        {
            throw new IllegalStateException("not built");
        }
        return System.nanoTime() - startNs;
    }

    @Override
    public void close() throws Exception
    {
        router.close();
        server.close();
    }
}
