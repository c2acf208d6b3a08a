package io.gatehouse.xds;

import static io.gatehouse.xds.Resources.assignment;
import static io.gatehouse.xds.Resources.edsCluster;
import static io.gatehouse.xds.Resources.listener;
import static io.gatehouse.xds.Resources.sniChain;
import static io.gatehouse.xds.Resources.staticCluster;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.TlsBackend;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * gatehouse under java-control-plane, end to end on real sockets: snapshots pushed to the Envoy project's
 * Java control plane reach a running router through the ADS stream, and real TLS clients (JDK SSLSocket)
 * and raw ClientHello senders are routed by SNI to real backends.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class XdsEndToEndTest
{
    @TempDir
    static Path keys;

    private static TlsBackend tlsA;
    private static TlsBackend tlsB;

    @BeforeAll
    static void startTlsBackends() throws Exception
    {
        tlsA = TlsBackend.start("a", TlsBackend.keystore(keys, "a.test"));
        tlsB = TlsBackend.start("b", TlsBackend.keystore(keys, "b.test"));
    }

    @AfterAll
    static void stopTlsBackends() throws IOException
    {
        tlsA.close();
        tlsB.close();
    }

    static Snapshot snapshot(final String version, final List<Cluster> clusters, final List<ClusterLoadAssignment> endpoints,
        final List<Listener> listeners)
    {
        return Snapshot.create(clusters, endpoints, listeners, List.of(), List.of(), version);
    }

    static void awaitLong(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (deadlineNs - System.nanoTime() < 0)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** Sends a ClientHello for {@code sni} and reads it back from an echo backend: the connection is routed and relaying. */
    static Socket echoConnection(final InetSocketAddress router, final String sni) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(router, 5_000);
            socket.setSoTimeout(10_000);
            final byte[] hello = new ClientHelloBuilder().serverName(sni).build();
            socket.getOutputStream().write(hello);
            assertArrayEquals(hello, readFully(socket.getInputStream(), hello.length));
            return socket;
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            socket.close();
            throw ex;
        }
    }

    static void assertRelays(final Socket socket, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        assertArrayEquals(bytes, readFully(socket.getInputStream(), bytes.length));
    }

    static byte[] readFully(final InputStream in, final int length) throws IOException
    {
        final byte[] out = new byte[length];
        int read = 0;
        while (read < length)
        {
            final int n = in.read(out, read, length - read);
            if (n < 0)
            {
                throw new IOException("EOF after " + read + " of " + length + " bytes");
            }
            read += n;
        }
        return out;
    }

    @Test
    void shouldRouteRealTlsClientsBySniToTheClustersOfAnLdsListenerAndAckEachType(@TempDir final Path dir) throws Exception
    {
        try (ControlPlaneServer cp = new ControlPlaneServer().start();
            RouterUnderXds gatehouse = new RouterUnderXds(dir, cp.port(), ""))
        {
            cp.push(snapshot("1",
                List.of(edsCluster("a"), staticCluster("b", tlsB.address())),
                List.of(assignment("a", tlsA.address())),
                List.of(listener("public", sniChain("a.test", "a"), sniChain("*.b.test", "b")))));
            Await.until("the LDS listener is bound", () -> gatehouse.address("public") != null);
            final InetSocketAddress router = gatehouse.address("public");
            assertEquals("a.test", TlsBackend.Client.peerCommonName(router, "a.test"));
            assertEquals("b.test", TlsBackend.Client.peerCommonName(router, "x.b.test"));
            assertEquals("b.test", TlsBackend.Client.peerCommonName(router, "Y.B.Test"));

            Await.until("every type ACKed", () -> cp.acked(XdsSource.LDS, "1") && cp.acked(XdsSource.CDS, "1")
                && cp.acked(XdsSource.EDS, "1"));
            final DiscoveryRequest eds = cp.last(XdsSource.EDS, r -> true);
            assertEquals(List.of("a"), eds.getResourceNamesList(), "EDS asks for the EDS clusters' service names only");
            assertEquals("gh-test", cp.requests.get(0).getNode().getId());
            assertEquals("ingress", cp.requests.get(0).getNode().getCluster());
            assertEquals("ingressgateway", cp.requests.get(0).getNode().getMetadata().getFieldsOrThrow("LABELS").getStructValue()
                .getFieldsOrThrow("istio").getStringValue(), "node.metadata reaches the control plane (istiod selects by LABELS)");
            assertEquals(java.util.Map.of("lds", "1", "cds", "1", "eds", "1"), gatehouse.versions());
            final String metrics = gatehouse.metrics();
            final io.gatehouse.router.metrics.MetricsSnapshot scrape = io.gatehouse.router.metrics.MetricsSnapshot.parse(metrics);
            assertEquals(1, scrape.sum("gatehouse_xds_responses_accepted_total", "type", "lds"), metrics);
            assertEquals(0, scrape.sum("gatehouse_xds_responses_rejected_total", "type", "lds"), metrics);
            assertEquals(1, scrape.sum("gatehouse_xds_connected"), metrics);
            assertTrue(metrics.contains("listener=\"public\"") && metrics.contains("route=\"a.test\""),
                "routes are named by their chain's first server name: " + metrics);
        }
    }

    @Test
    void shouldMoveNewConnectionsToNewEndpointsWhileEstablishedOnesKeepRelaying(@TempDir final Path dir) throws Exception
    {
        try (ControlPlaneServer cp = new ControlPlaneServer().start();
            RawBackend first = new RawBackend("e1", RawBackend::echo);
            RawBackend second = new RawBackend("e2", RawBackend::echo);
            RawBackend draining = new RawBackend("e3", RawBackend::echo);
            RouterUnderXds gatehouse = new RouterUnderXds(dir, cp.port(), ""))
        {
            final List<Cluster> clusters = List.of(edsCluster("echo"));
            final List<Listener> listeners = List.of(listener("public", sniChain("echo.test", "echo")));
            cp.push(snapshot("1", clusters, List.of(assignment("echo", first.address())), listeners));
            Await.until("the listener is bound", () -> gatehouse.address("public") != null);
            final InetSocketAddress router = gatehouse.address("public");
            try (Socket established = echoConnection(router, "echo.test"))
            {
                assertEquals(1, first.accepted());
                final ClusterLoadAssignment moved = ClusterLoadAssignment.newBuilder().setClusterName("echo")
                    .addEndpoints(LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(Resources.endpoint(second.address(), HealthStatus.HEALTHY, 1))
                        .addLbEndpoints(Resources.endpoint(draining.address(), HealthStatus.DRAINING, 1))
                        .addLbEndpoints(Resources.endpoint(first.address(), HealthStatus.UNHEALTHY, 1)))
                    .build();
                cp.push(snapshot("2", clusters, List.of(moved), listeners));
                Await.until("EDS version 2 ACKed", () -> cp.acked(XdsSource.EDS, "2"));
                for (int i = 0; i < 6; i++)
                {
                    try (Socket fresh = echoConnection(router, "echo.test"))
                    {
                        assertRelays(fresh, "new " + i);
                    }
                }
                assertEquals(6, second.accepted(), "every new connection goes to the one HEALTHY endpoint");
                assertEquals(0, draining.accepted(), "DRAINING is not picked");
                assertEquals(1, first.accepted(), "UNHEALTHY is not picked");
                assertRelays(established, "still relaying after the endpoint left");

                final ClusterLoadAssignment noneLeft = ClusterLoadAssignment.newBuilder().setClusterName("echo")
                    .addEndpoints(LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(Resources.endpoint(second.address(), HealthStatus.UNHEALTHY, 1))).build();
                cp.push(snapshot("3", clusters, List.of(noneLeft), listeners));
                Await.until("EDS version 3 ACKed", () -> cp.acked(XdsSource.EDS, "3"));
                try (Socket refused = new Socket())
                {
                    refused.connect(router, 5_000);
                    refused.setSoTimeout(10_000);
                    refused.getOutputStream().write(new ClientHelloBuilder().serverName("echo.test").build());
                    assertEquals(-1, refused.getInputStream().read(), "no pickable endpoint: the connection is closed");
                }
                assertEquals(6, second.accepted(), "an UNHEALTHY endpoint gets no new connection");
                assertRelays(established, "still relaying with no endpoint left");
            }
        }
    }

    @Test
    void shouldNackABadSnapshotNamingTheResourceAndFieldAndKeepServingTheLastAccepted(@TempDir final Path dir) throws Exception
    {
        try (ControlPlaneServer cp = new ControlPlaneServer().start();
            RouterUnderXds gatehouse = new RouterUnderXds(dir, cp.port(), ""))
        {
            final List<Cluster> clusters = List.of(staticCluster("a", tlsA.address()));
            cp.push(snapshot("1", clusters, List.of(), List.of(listener("public", sniChain("a.test", "a")))));
            Await.until("the listener is bound", () -> gatehouse.address("public") != null);
            final InetSocketAddress router = gatehouse.address("public");
            assertEquals("a.test", TlsBackend.Client.peerCommonName(router, "a.test"));

            final FilterChain terminating = sniChain("a.test", "a").toBuilder()
                .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                    .setTypedConfig(Any.pack(DownstreamTlsContext.getDefaultInstance())))
                .build();
            cp.push(snapshot("2", clusters, List.of(), List.of(listener("public", terminating))));
            Await.until("LDS version 2 NACKed", () -> cp.last(XdsSource.LDS, DiscoveryRequest::hasErrorDetail) != null);
            final DiscoveryRequest nack = cp.last(XdsSource.LDS, DiscoveryRequest::hasErrorDetail);
            assertEquals("1", nack.getVersionInfo(), "a NACK carries the version last accepted");
            assertTrue(!nack.getResponseNonce().isEmpty(), "and the nonce of the response it answers");
            assertEquals(3, nack.getErrorDetail().getCode(), "INVALID_ARGUMENT");
            assertEquals("Listener 'public': filter_chains[0].transport_socket: terminates TLS "
                + "(envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext); gatehouse only passes TLS through",
                nack.getErrorDetail().getMessage());

            assertEquals("a.test", TlsBackend.Client.peerCommonName(router, "a.test"), "the last accepted config keeps serving");
            assertEquals("1", gatehouse.versions().get("lds"));
            final String metrics = gatehouse.metrics();
            final io.gatehouse.router.metrics.MetricsSnapshot scrape = io.gatehouse.router.metrics.MetricsSnapshot.parse(metrics);
            assertTrue(scrape.sum("gatehouse_xds_responses_rejected_total", "type", "lds") > 0, metrics);
            assertTrue(scrape.sum("gatehouse_xds_last_rejected_timestamp_seconds", "type", "lds")
                >= scrape.sum("gatehouse_xds_last_accepted_timestamp_seconds", "type", "lds"), "when the NACK was: " + metrics);
            assertEquals(0, scrape.sum("gatehouse_xds_last_rejected_timestamp_seconds", "type", "cds"), metrics);

            cp.push(snapshot("3", clusters, List.of(), List.of(listener("public", sniChain("a.test", "a"), sniChain("b.test", "a")))));
            Await.until("a good version after the bad one is ACKed", () -> cp.acked(XdsSource.LDS, "3"));
            assertEquals("a.test", TlsBackend.Client.peerCommonName(router, "b.test"));
            final long nacks = cp.requests.stream().filter(DiscoveryRequest::hasErrorDetail).count();
            assertTrue(nacks < 40, "a resent bad version is NACKed with a growing delay, not in a busy loop: " + nacks);
        }
    }

    @Test
    void shouldKeepServingWhileTheControlPlaneIsDownAndConvergeWhenItReturns(@TempDir final Path dir) throws Exception
    {
        final ControlPlaneServer cp = new ControlPlaneServer().start();
        final int port = cp.port();
        try (RawBackend first = new RawBackend("e1", RawBackend::echo);
            RawBackend second = new RawBackend("e2", RawBackend::echo);
            RouterUnderXds gatehouse = new RouterUnderXds(dir, port, ""))
        {
            final List<Cluster> clusters = List.of(edsCluster("echo"));
            final List<Listener> listeners = List.of(listener("public", sniChain("echo.test", "echo")));
            cp.push(snapshot("1", clusters, List.of(assignment("echo", first.address())), listeners));
            Await.until("the listener is bound", () -> gatehouse.address("public") != null);
            final InetSocketAddress router = gatehouse.address("public");
            try (Socket established = echoConnection(router, "echo.test"))
            {
                cp.stop();
                Await.until("the stream is seen down", () -> !gatehouse.xds.connected());
                for (int i = 0; i < 3; i++)
                {
                    echoConnection(router, "echo.test").close();
                }
                assertEquals(4, first.accepted(), "serving continues with the control plane down");
                assertRelays(established, "through the outage");

                try (ControlPlaneServer restarted = new ControlPlaneServer().start(port))
                {
                    restarted.push(snapshot("7", clusters, List.of(assignment("echo", second.address())), listeners));
                    awaitLong("converged on the restarted control plane", () -> restarted.acked(XdsSource.EDS, "7"));
                    echoConnection(router, "echo.test").close();
                    assertEquals(1, second.accepted(), "new connections follow the restarted control plane's endpoints");
                    assertRelays(established, "after the restart");
                    final DiscoveryRequest first7 = restarted.requests.get(0);
                    assertNotNull(first7);
                    assertTrue(gatehouse.metrics().contains("gatehouse_xds_stream_restarts_total "), gatehouse.metrics());
                }
            }
        }
        finally
        {
            cp.close();
        }
    }

    /** Waits until the router closes {@code socket} (EOF or a reset). */
    static void awaitClosed(final String what, final Socket socket) throws IOException
    {
        socket.setSoTimeout(15_000);
        try
        {
            assertEquals(-1, socket.getInputStream().read(), what);
        }
        catch (final java.net.SocketException reset)
        {
            // closed with a reset: closed all the same
        }
    }

    @Test
    void shouldBindOnEveryLoopAndDrainARemovedListenerAndAChangedChainAfterTheGraceKeepingUnchangedChains(@TempDir final Path dir)
        throws Exception
    {
        final boolean epoll = io.netty.channel.epoll.Epoll.isAvailable();
        try (ControlPlaneServer cp = new ControlPlaneServer().start();
            RawBackend echo = new RawBackend("e1", RawBackend::echo);
            RouterUnderXds gatehouse = new RouterUnderXds(dir, "  server: 127.0.0.1:" + cp.port() + "\n",
                "workers: 2, transport: " + (epoll ? "epoll" : "nio") + ", removed_route_drain: 3s", "", true))
        {
            final List<Cluster> clusters = List.of(edsCluster("echo"));
            final List<ClusterLoadAssignment> endpoints = List.of(assignment("echo", echo.address()));
            cp.push(snapshot("1", clusters, endpoints, List.of(
                listener("public", sniChain("keep.test", "echo"), sniChain("change.test", "echo")),
                listener("old", sniChain("old.test", "echo")))));
            Await.until("both LDS listeners are bound", () -> gatehouse.address("public") != null && gatehouse.address("old") != null);
            if (epoll)
            {
                assertEquals(2, gatehouse.router.listeningSockets("public"), "an LDS listener has one SO_REUSEPORT socket per loop");
            }
            final InetSocketAddress router = gatehouse.address("public");
            try (Socket kept = echoConnection(router, "keep.test");
                Socket changed = echoConnection(router, "change.test");
                Socket removed = echoConnection(gatehouse.address("old"), "old.test"))
            {
                final FilterChain widened = sniChain("change.test", "echo").toBuilder().setFilterChainMatch(
                    io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder().addServerNames("change.test")
                        .addServerNames("new.test")).build();
                final long pushedNs = System.nanoTime();
                cp.push(snapshot("2", clusters, endpoints, List.of(listener("public", sniChain("keep.test", "echo"), widened))));
                Await.until("LDS version 2 ACKed", () -> cp.acked(XdsSource.LDS, "2"));
                Await.until("the removed listener is no longer served", () -> gatehouse.address("old") == null);
                echoConnection(router, "new.test").close();
                if (System.nanoTime() - pushedNs < 2_000_000_000L)
                {
                    assertRelays(changed, "within the grace, the changed chain's connection relays");
                    assertRelays(removed, "within the grace, the removed listener's connection relays");
                }
                awaitClosed("the changed chain's old connection is closed after runtime.removed_route_drain", changed);
                final long changedClosedMs = (System.nanoTime() - pushedNs) / 1_000_000;
                awaitClosed("the removed listener's connection is closed after runtime.removed_route_drain", removed);
                final long removedClosedMs = (System.nanoTime() - pushedNs) / 1_000_000;
                assertTrue(changedClosedMs >= 3_000 && removedClosedMs >= 3_000, "not before the grace: closed after "
                    + changedClosedMs + " and " + removedClosedMs + " ms; " + gatehouse.metrics().lines()
                        .filter(l -> l.startsWith("gatehouse_operator_closes_total") || l.contains("end_reason")
                            || l.startsWith("gatehouse_connections_closed")).toList());
                assertRelays(kept, "an unchanged chain keeps its connections");
                final String metrics = gatehouse.metrics();
                assertEquals(2, io.gatehouse.router.metrics.MetricsSnapshot.parse(metrics).sum("gatehouse_operator_closes_total",
                    "reason", "route_removed"), metrics);
            }
        }
    }

    @Test
    void shouldFailNoConnectionOverFiftySnapshotUpdatesUnderContinuousNewConnections(@TempDir final Path dir) throws Exception
    {
        try (ControlPlaneServer cp = new ControlPlaneServer().start();
            RawBackend e1 = new RawBackend("e1", RawBackend::echo);
            RawBackend e2 = new RawBackend("e2", RawBackend::echo);
            RawBackend e3 = new RawBackend("e3", RawBackend::echo);
            RouterUnderXds gatehouse = new RouterUnderXds(dir, cp.port(), ""))
        {
            final RawBackend[] backends = {e1, e2, e3};
            cp.push(snapshot("0", List.of(edsCluster("echo")), List.of(assignment("echo", e1.address())),
                List.of(listener("public", sniChain("echo.test", "echo")))));
            Await.until("the listener is bound", () -> gatehouse.address("public") != null);
            final InetSocketAddress router = gatehouse.address("public");

            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicInteger ok = new AtomicInteger();
            final AtomicInteger failed = new AtomicInteger();
            final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            final Thread[] load = new Thread[2];
            for (int t = 0; t < load.length; t++)
            {
                load[t] = new Thread(() ->
                {
                    final long deadlineNs = System.nanoTime() + 90_000_000_000L;
                    while (!stop.get() && deadlineNs - System.nanoTime() > 0)
                    {
                        try (Socket socket = echoConnection(router, "echo.test"))
                        {
                            assertRelays(socket, "x");
                            ok.incrementAndGet();
                        }
                        catch (final IOException | RuntimeException | AssertionError ex)
                        {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, ex);
                        }
                    }
                }, "xds-load-" + t);
                load[t].start();
            }
            for (int v = 1; v <= 50; v++)
            {
                final String version = Integer.toString(v);
                final InetSocketAddress[] endpoints = v % 3 == 0
                    ? new InetSocketAddress[] {backends[v % 3].address(), backends[(v + 1) % 3].address()}
                    : new InetSocketAddress[] {backends[v % 3].address()};
                final Listener listener = v % 2 == 0
                    ? listener("public", sniChain("echo.test", "echo"))
                    : listener("public", sniChain("echo.test", "echo"), sniChain("other" + v + ".test", "echo"));
                final int madeBefore = ok.get() + failed.get();
                cp.push(snapshot(version, List.of(edsCluster("echo")), List.of(assignment("echo", endpoints)), List.of(listener)));
                Await.until("version " + v + " ACKed", () -> cp.acked(XdsSource.EDS, version) && cp.acked(XdsSource.LDS, version));
                // Every version serves connections before the next replaces it (a loaded host could push
                // faster than the clients connect): at least one connection per update window.
                Await.until("a connection finished after version " + v + " was ACKed", () -> ok.get() + failed.get() > madeBefore);
            }
            stop.set(true);
            for (final Thread thread : load)
            {
                thread.join(30_000);
            }
            assertEquals(0, failed.get(), "failed connections (first: " + firstFailure.get() + ")");
            assertTrue(ok.get() >= 50, "connections made during the updates: " + ok.get());
            assertTrue(e2.accepted() > 0 && e3.accepted() > 0, "the updates moved connections between endpoints");
            final String metrics = gatehouse.metrics();
            assertEquals(0, io.gatehouse.router.metrics.MetricsSnapshot.parse(metrics).sum("gatehouse_xds_responses_rejected_total", "type", "eds"), metrics);
        }
    }
}
