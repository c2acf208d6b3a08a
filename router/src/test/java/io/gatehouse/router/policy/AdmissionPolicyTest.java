package io.gatehouse.router.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.metrics.SnapshotWriter;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AdmissionPolicyTest
{
    private final AtomicLong nowNs = new AtomicLong(5_000_000_000L);

    private static ListenerConfig listener(final String extra) throws Exception
    {
        final GatehouseConfig config = ConfigLoader.parse("""
            listeners:
              - name: public
                address: 127.0.0.1:0
                allow: [127.0.0.0/8, "::1"]
                deny: [127.0.0.66/32]
            """ + extra + """
                routes:
                  - hostnames: [open.test]
                    backends: [127.0.0.1:1]
                  - hostnames: [closed.test]
                    backends: [127.0.0.1:2]
                    deny: [127.0.0.3/32]
            """, Path.of("t.yaml"));
        return config.listeners().get(0);
    }

    /** The source address of a real loopback connection made from {@code localAddress}. */
    private static InetAddress acceptFrom(final ServerSocket server, final String localAddress) throws Exception
    {
        try (Socket client = new Socket())
        {
            client.bind(new InetSocketAddress(localAddress, 0));
            client.connect(server.getLocalSocketAddress(), 5_000);
            try (Socket accepted = server.accept())
            {
                return accepted.getInetAddress();
            }
        }
    }

    @Test
    void shouldAdmitByAllowDenyOnRealLoopbackSourcesAndCountRefusals() throws Exception
    {
        final AdmissionPolicy policy = AdmissionPolicy.create(listener(""), new ConnectionLimit(0), nowNs::get);
        try (ServerSocket server = new ServerSocket())
        {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            final InetAddress allowed = acceptFrom(server, "127.0.0.2");
            final InetAddress denied = acceptFrom(server, "127.0.0.66");
            final InetAddress routeDenied = acceptFrom(server, "127.0.0.3");
            assertEquals(RejectReason.NONE, policy.admit(allowed));
            assertEquals(RejectReason.SOURCE_DENIED, policy.admit(denied));
            assertEquals(RejectReason.NONE, policy.admit(routeDenied));
            assertEquals(RejectReason.NONE, policy.admitRoute(0, routeDenied));
            assertEquals(RejectReason.ROUTE_DENIED, policy.admitRoute(1, routeDenied));
            assertEquals(RejectReason.NONE, policy.admitRoute(1, allowed));
        }
        assertEquals(RejectReason.SOURCE_NOT_ALLOWED, policy.admit(InetAddress.getByName("192.0.2.1")));
        assertEquals(1, policy.rejected(RejectReason.SOURCE_DENIED));
        assertEquals(1, policy.rejected(RejectReason.SOURCE_NOT_ALLOWED));
        assertEquals(1, policy.rejected(RejectReason.ROUTE_DENIED));
        final SnapshotWriter writer = new SnapshotWriter();
        policy.writeTo(writer);
        assertEquals(1, io.gatehouse.router.metrics.MetricsSnapshot.parse(writer.text()).sum("gatehouse_connections_rejected_total",
            "listener", "public", "reason", "source_denied"), writer.text());
    }

    @Test
    void shouldEnforceTheGlobalLimitAcrossListenersAndReleaseIt() throws Exception
    {
        final ConnectionLimit global = new ConnectionLimit(2);
        final AdmissionPolicy one = AdmissionPolicy.create(listener(""), global, nowNs::get);
        final AdmissionPolicy two = AdmissionPolicy.create(listener(""), global, nowNs::get);
        final InetAddress source = InetAddress.getByName("127.0.0.2");
        assertEquals(RejectReason.NONE, one.admit(source));
        assertEquals(RejectReason.NONE, two.admit(source));
        assertEquals(RejectReason.CONNECTION_LIMIT, two.admit(source));
        one.release(source);
        assertEquals(RejectReason.NONE, two.admit(source));
        assertEquals(2, global.open());
    }

    @Test
    void shouldKeepOnePolicyPerListenerNameAcrossReloadsAndForgetRemovedOnes() throws Exception
    {
        final AdmissionPolicies policies = new AdmissionPolicies(new ConnectionLimit(0), nowNs::get);
        final ListenerConfig limited = listener("""
                limits: {max_connections_per_source: 1}
            """);
        final AdmissionPolicy first = policies.policyFor(limited);
        final InetAddress source = InetAddress.getByName("127.0.0.2");
        assertEquals(RejectReason.NONE, first.admit(source));
        final AdmissionPolicy second = policies.policyFor(limited);
        assertEquals(RejectReason.SOURCE_CONNECTION_LIMIT, second.admit(source));
        assertEquals(second, policies.get("public"));
        final SnapshotWriter writer = new SnapshotWriter();
        policies.writeTo(writer);
        assertEquals(1, io.gatehouse.router.metrics.MetricsSnapshot.parse(writer.text()).sum("gatehouse_connections_rejected_total",
            "reason", "source_connection_limit"), writer.text());
        policies.retain(ConfigLoader.parse("listeners:\n  - name: other\n    address: 127.0.0.1:0\n"
            + "    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n", Path.of("t.yaml")));
        assertEquals(null, policies.get("public"));
    }

    @Test
    void shouldKeepPerSourceCountsAcrossAReconfigure() throws Exception
    {
        final AdmissionPolicy policy = AdmissionPolicy.create(listener("""
                limits: {max_connections_per_source: 1}
            """), new ConnectionLimit(0), nowNs::get);
        final InetAddress source = InetAddress.getByName("127.0.0.2");
        assertEquals(RejectReason.NONE, policy.admit(source));
        final AdmissionPolicy reloaded = policy.reconfigure(listener("""
                limits: {max_connections_per_source: 1, new_connections_per_second_per_source: 100}
            """));
        assertEquals(RejectReason.SOURCE_CONNECTION_LIMIT, reloaded.admit(source));
        assertEquals(1, policy.rejected(RejectReason.SOURCE_CONNECTION_LIMIT), "counters are shared");
        policy.release(source);
        assertEquals(RejectReason.NONE, reloaded.admit(source));
    }
}
