package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsSnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.control.ControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13.2 end to end: a real router and control plane, traffic through it, reloads that change a route's
 * backends and remove a route and a listener, then a scrape: one series per label set, the removed route and
 * listener gone, the kept listener's counters kept across the reloads, the library's text and OpenMetrics
 * outputs, and promtool's {@code check metrics} clean.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsAfterReloadsTest
{
    private static String config(final int generation, final InetSocketAddress backend, final boolean withOld)
    {
        return "# generation " + generation + "\n"
            + "runtime: {workers: 2}\n"
            + "listeners:\n"
            + "  - name: public\n"
            + "    address: 127.0.0.1:0\n"
            + "    protocol: http\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [127.0.0.1:" + backend.getPort() + ", 127.0.0." + (10 + generation) + ":1]\n"
            + "        balance: round_robin\n"
            + (withOld ? "      - hostnames: [old.test]\n        backends: [127.0.0.1:1]\n" : "")
            + (withOld ? "  - name: gone\n    address: 127.0.0.1:0\n    protocol: http\n    routes:\n"
                + "      - hostnames: [g.test]\n        backends: [127.0.0.1:" + backend.getPort() + "]\n" : "")
            + "admin: {address: 127.0.0.1:0}\n";
    }

    @Test
    void shouldExportOneSeriesPerLabelSetAfterReloadsThatPromtoolAccepts(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gatehouse.yaml");
        final List<String> log = new CopyOnWriteArrayList<>();
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            Files.writeString(file, config(0, echo.address(), true));
            try (Router router = Router.start(ConfigLoader.load(file));
                 ControlPlane plane = ControlPlane.start(file, router.config(), router::reload, log::add, false))
            {
                plane.metrics().register(router.metrics());
                plane.metrics().register(new BuildInfo(router.transport().name().toLowerCase(java.util.Locale.ROOT)));
                final InetSocketAddress admin = plane.adminAddress();
                echoOnce(router.boundAddress("gone"), "g.test");
                io.gatehouse.router.Await.until("the gone listener's connection ended",
                    () -> router.metrics().listener("gone").closed() == 1);
                assertEquals(1, MetricsSnapshot.parse(RawHttp.get(admin, "/metrics").body())
                    .sum("gatehouse_connections_accepted_total", "listener", "gone"), "counted before its removal");
                for (int generation = 1; generation <= 4; generation++)
                {
                    Files.writeString(file, config(generation, echo.address(), false));
                    assertEquals(200, RawHttp.post(admin, "/reload").status(), log.toString());
                    echoOnce(router.boundAddress("public"), "a.test");
                }

                // Bytes and durations are recorded when a session ends (both sockets closed): await the last one's end.
                io.gatehouse.router.Await.until("the last connection's session ended", () -> router.metrics().route("public", "a.test")
                    .durationCounts(io.gatehouse.router.metrics.RouteCounters.Duration.CONNECTION,
                        new long[io.gatehouse.router.metrics.DurationBuckets.COUNT]) == 1);
                final String text = RawHttp.get(admin, "/metrics").body();
                final MetricsSnapshot scrape = MetricsSnapshot.parse(text);
                final Set<String> keys = new HashSet<>();
                for (final MetricsSnapshot.Sample sample : scrape.samples())
                {
                    assertTrue(keys.add(sample.key()), "one series per label set: " + sample.key());
                }
                assertEquals(1, count(scrape, "gatehouse_route_connections_total", "route", "a.test"), text);
                assertEquals(0, count(scrape, "gatehouse_route_connections_total", "route", "old.test"), "removed route gone");
                assertEquals(2, count(scrape, "gatehouse_backend_connections_total", "route", "a.test"),
                    "the serving two backends, not those of earlier generations");
                assertEquals(1, scrape.sum("gatehouse_route_connections_total", "listener", "public", "route", "a.test"),
                    "the generation-4 route has seen the one connection since its backends last changed");
                final String backend = "127.0.0.1:" + echo.address().getPort();
                assertTrue(scrape.sum("gatehouse_backend_sent_bytes_total", "listener", "public", "route", "a.test", "backend",
                    backend) > 0, text);
                assertEquals(1, scrape.sum("gatehouse_backend_connect_duration_seconds_count", "route", "a.test"));
                assertEquals(5, scrape.sum("gatehouse_peek_outcomes_total", "outcome", "ok"), "four on public, one on gone");
                assertEquals("histogram", scrape.type("gatehouse_connection_duration_seconds"));
                assertEquals(1, scrape.sum("gatehouse_build_info", "transport", router.transport().name().toLowerCase(
                    java.util.Locale.ROOT)));
                assertTrue(scrape.sum("jvm_threads_current") > 0 && scrape.sum("process_cpu_seconds_total") >= 0, text);
                assertTrue(scrape.sum("gatehouse_client_to_backend_bytes_total", "listener", "public") > 0, text);
                assertEquals(4, scrape.sum("gatehouse_connections_accepted_total", "listener", "public"),
                    "a listener keeps its counters across reloads: " + text);
                assertEquals(0, scrape.sum("gatehouse_connections_active", "listener", "public"), text);
                for (final MetricsSnapshot.Sample sample : scrape.samples())
                {
                    assertTrue(!"gone".equals(sample.labels().get("listener")), "removed listener's series gone: " + sample.key());
                    if (sample.name().equals("gatehouse_connections_accepted_total") || sample.name().equals("gatehouse_connections_active"))
                    {
                        assertTrue(sample.labels().containsKey("listener"), "per listener, no unlabelled total: " + sample.key());
                    }
                }

                final Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
                promtool.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                promtool.getOutputStream().close();
                final String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(promtool.waitFor(20, TimeUnit.SECONDS));
                assertEquals(0, promtool.exitValue(), "promtool check metrics: " + verdict);

                final RawHttp.Answer open = RawHttp.exchange(admin, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: application/openmetrics-text; version=1.0.0\r\nConnection: close\r\n\r\n");
                assertTrue(open.header("content-type").startsWith("application/openmetrics-text"), open.head());
                assertTrue(open.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            }
        }
    }

    private static int count(final MetricsSnapshot scrape, final String name, final String label, final String value)
    {
        int n = 0;
        for (final MetricsSnapshot.Sample sample : scrape.samples())
        {
            if (sample.name().equals(name) && value.equals(sample.labels().get(label)))
            {
                n++;
            }
        }
        return n;
    }

    private static void echoOnce(final InetSocketAddress vip, final String host) throws IOException
    {
        final byte[] request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket())
        {
            socket.connect(vip, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            final InputStream in = socket.getInputStream();
            int read = 0;
            while (read < request.length)
            {
                final int b = in.read();
                assertTrue(b >= 0, "the echo came back whole");
                read++;
            }
        }
    }
}
