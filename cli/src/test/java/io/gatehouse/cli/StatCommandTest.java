package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.admin.AdminServer;
import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.metrics.MetricsSnapshot;
import io.gatehouse.router.config.HostPort;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StatCommandTest
{
    private final InProcessCli cli = new InProcessCli();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(final String... args)
    {
        return cli.run(args);
    }

    @Test
    void shouldShowTotalsRatesAndGaugesFromALiveAdminEndpoint() throws Exception
    {
        final MetricsRegistry registry = new MetricsRegistry();
        final AtomicLong accepted = new AtomicLong(1_000);
        registry.register(writer ->
        {
            writer.counter("gatehouse_connections_accepted_total", "Accepted.")
                .sample(accepted.getAndAdd(50), "listener", "public");
            writer.counter("gatehouse_connections_rejected_total", "Rejected.").sample(0, "listener", "public", "reason", "x");
            writer.gauge("gatehouse_connections_active", "Open.").sample(7, "listener", "public");
            writer.histogram("gatehouse_connect_seconds", "Connect.").histogram(new double[] {0.001}, new long[] {1}, 0.0005, 1);
        });
        try (AdminServer admin = AdminServer.start(new HostPort("127.0.0.1", 0), registry, null))
        {
            assertEquals(0, run("stat", "--admin", "127.0.0.1:" + admin.boundAddress().getPort(), "--interval", "100ms", "--once"));
        }
        final String table = out.toString();
        assertTrue(table.matches("(?s).*connections_accepted_total\\{listener=\"public\"} +1050 +\\d+\\.\\d.*"), table);
        assertTrue(table.matches("(?s).*connections_active\\{listener=\"public\"} +7\n.*"), table);
        assertTrue(table.contains("connect_seconds_count"), table);
        assertTrue(!table.contains("connections_rejected_total"), "zero counters are hidden without --all: " + table);
        assertTrue(!table.contains("_bucket"), table);
    }

    @Test
    void shouldExitOneWithOneLineWhenTheAdminEndpointIsDown() throws Exception
    {
        final int port;
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            port = socket.getLocalPort();
        }
        assertEquals(1, run("stat", "--admin", "127.0.0.1:" + port, "--interval", "10ms", "--once"));
        assertTrue(err.toString().startsWith("gatehouse stat: cannot read http://127.0.0.1:" + port + "/metrics: "), err.toString());
        assertEquals(1, err.toString().split("\n").length);
        assertEquals(2, run("stat", "--interval", "soon", "--once"));
    }

    @Test
    void shouldParseTheExpositionItReads()
    {
        final MetricsSnapshot snapshot = MetricsSnapshot.parse("""
            # HELP a_total x
            # TYPE a_total counter
            a_total{l="x\\"y",m="1"} 3
            a_total{l="z",m="1"} 4 1700000000000
            b +Inf
            """);
        assertEquals("counter", snapshot.type("a_total"));
        assertEquals(7, snapshot.sum("a_total", "m", "1"));
        assertEquals(3, snapshot.sum("a_total", "l", "x\"y"));
        assertEquals(Double.POSITIVE_INFINITY, snapshot.sum("b"));
    }
}
