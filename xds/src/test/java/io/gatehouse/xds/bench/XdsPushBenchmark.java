package io.gatehouse.xds.bench;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.gatehouse.router.RawBackend;
import io.gatehouse.sni.ClientHelloBuilder;
import io.gatehouse.xds.BenchAccess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench-results/xds.md}: (1) the time from a snapshot push to java-control-plane to the first new
 * connection routed by it, over 100 pushes of each kind (an EDS endpoint move; an LDS listener with a new SNI
 * chain); (2) the cost of an EDS update of 1,000 and 10,000 endpoints (push to ACK, which gatehouse sends after
 * the router serves it) for ROUND_ROBIN and MAGLEV clusters. Everything in one JVM on loopback: control plane,
 * router (NIO, 2 event loops), backends, client. Bounded: every wait has a deadline.
 *
 * <p>Run: {@code java -cp ... io.gatehouse.xds.bench.XdsPushBenchmark [pushes]} (see bench-results/xds.md).
 */
public final class XdsPushBenchmark
{
    private XdsPushBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int pushes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        final boolean routing = pushes > 0;
        final Path dir = Files.createTempDirectory("xds-bench");
        final RawBackend a = new RawBackend("a", identifying('a'));
        final RawBackend b = new RawBackend("b", identifying('b'));
        try (BenchAccess gatehouse = BenchAccess.start(dir))
        {
            final List<Cluster> clusters = List.of(BenchAccess.edsCluster("echo", Cluster.LbPolicy.ROUND_ROBIN));
            Listener listener = BenchAccess.listener("public", BenchAccess.sniChain("echo.test", "echo"));
            gatehouse.push(snapshot("0", clusters, List.of(BenchAccess.assignment("echo", a.address())), List.of(listener)));
            final long bindDeadline = System.nanoTime() + 30_000_000_000L;
            while (gatehouse.address("public") == null && bindDeadline - System.nanoTime() > 0)
            {
                Thread.sleep(1);
            }
            final InetSocketAddress router = gatehouse.address("public");
            for (int warm = 0; warm < 200; warm++)
            {
                routedTo(router, "echo.test");
            }

            final long[] eds = new long[pushes];
            int version = 1;
            for (int i = 0; routing && i < pushes; i++, version++)
            {
                final RawBackend target = i % 2 == 0 ? b : a;
                final char expect = i % 2 == 0 ? 'b' : 'a';
                final Snapshot next = snapshot(Integer.toString(version), clusters,
                    List.of(BenchAccess.assignment("echo", target.address())), List.of(listener));
                final long startNs = System.nanoTime();
                gatehouse.push(next);
                eds[i] = awaitRouted(router, "echo.test", expect, startNs);
            }

            final long[] lds = new long[pushes];
            final List<FilterChain> chains = new ArrayList<>();
            chains.add(BenchAccess.sniChain("echo.test", "echo"));
            for (int i = 0; routing && i < pushes; i++, version++)
            {
                final String name = "n" + i + ".test";
                chains.add(BenchAccess.sniChain(name, "echo"));
                if (chains.size() > 20)
                {
                    chains.remove(1);
                }
                listener = BenchAccess.listener("public", chains.toArray(new FilterChain[0]));
                final Snapshot next = snapshot(Integer.toString(version), clusters,
                    List.of(BenchAccess.assignment("echo", a.address())), List.of(listener));
                final long startNs = System.nanoTime();
                gatehouse.push(next);
                lds[i] = awaitRouted(router, name, 'a', startNs);
            }
            if (routing)
            {
                System.out.println(summary("push to first routed connection, EDS endpoint move", eds));
                System.out.println(summary("push to first routed connection, LDS new SNI chain", lds));
            }

            for (final Cluster.LbPolicy policy : List.of(Cluster.LbPolicy.MAGLEV, Cluster.LbPolicy.ROUND_ROBIN))
            {
                for (final int endpoints : new int[] {1_000, 10_000})
                {
                    final List<Cluster> big = List.of(BenchAccess.edsCluster("echo", policy));
                    final int rounds = endpoints >= 10_000 ? 15 : 30;
                    final long[] costs = new long[rounds];
                    for (int r = -3; r < rounds; r++, version++)
                    {
                        final String v = Integer.toString(version);
                        final Snapshot next = snapshot(v, big, List.of(manyEndpoints(endpoints, r & 1)), List.of(listener));
                        final long startNs = System.nanoTime();
                        gatehouse.push(next);
                        gatehouse.awaitAck(BenchAccess.EDS, v, startNs + 60_000_000_000L);
                        final long took = System.nanoTime() - startNs;
                        if (r >= 0)
                        {
                            costs[r] = took;
                        }
                    }
                    System.out.println(summary("EDS update of " + endpoints + " endpoints, " + policy + ": push to ACK", costs));
                    final long[] translate = new long[rounds];
                    for (int r = -3; r < rounds; r++)
                    {
                        final long took = BenchAccess.translateNs(big.get(0), manyEndpoints(endpoints, r & 1), listener);
                        if (r >= 0)
                        {
                            translate[r] = took;
                        }
                    }
                    System.out.println(summary("  of which translation only (xds module, no gRPC/router)", translate));
                }
            }
        }
        finally
        {
            a.close();
            b.close();
        }
    }

    private static RawBackend.Session identifying(final char id)
    {
        return socket ->
        {
            final byte[] buffer = new byte[16 * 1024];
            if (socket.getInputStream().read(buffer) > 0)
            {
                socket.getOutputStream().write(id);
                socket.getOutputStream().flush();
            }
        };
    }

    private static ClusterLoadAssignment manyEndpoints(final int count, final int parity)
    {
        final LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
        for (int i = 0; i < count; i++)
        {
            final InetSocketAddress address = new InetSocketAddress("127.0." + ((i >> 8) & 0xff) + "." + (i & 0xff), 20_000 + parity);
            locality.addLbEndpoints(BenchAccess.endpoint(address, HealthStatus.HEALTHY, 1));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName("echo").addEndpoints(locality).build();
    }

    private static Snapshot snapshot(final String version, final List<Cluster> clusters, final List<ClusterLoadAssignment> endpoints,
        final List<Listener> listeners)
    {
        return Snapshot.create(clusters, endpoints, listeners, List.of(), List.of(), version);
    }

    /** The backend id a new connection for {@code sni} reached, or 0 when it was not routed (refused). */
    private static int routedTo(final InetSocketAddress router, final String sni) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.setTcpNoDelay(true);
            socket.connect(router, 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new ClientHelloBuilder().serverName(sni).build());
            final int first = socket.getInputStream().read();
            return first == 'a' || first == 'b' ? first : 0;
        }
    }

    private static long awaitRouted(final InetSocketAddress router, final String sni, final char expect, final long startNs)
        throws IOException
    {
        final long deadlineNs = startNs + 30_000_000_000L;
        while (deadlineNs - System.nanoTime() > 0)
        {
            if (routedTo(router, sni) == expect)
            {
                return System.nanoTime() - startNs;
            }
        }
        throw new IllegalStateException("not routed within 30 s: " + sni);
    }

    private static String summary(final String what, final long[] ns)
    {
        final long[] sorted = ns.clone();
        Arrays.sort(sorted);
        final double p50 = sorted[(int)Math.floor(0.50 * (sorted.length - 1))] / 1e6;
        final double p99 = sorted[(int)Math.ceil(0.99 * (sorted.length - 1))] / 1e6;
        return String.format(Locale.ROOT, "%-62s n=%3d  median %8.2f ms  p99 %8.2f ms  max %8.2f ms", what, ns.length, p50, p99,
            sorted[sorted.length - 1] / 1e6);
    }
}
