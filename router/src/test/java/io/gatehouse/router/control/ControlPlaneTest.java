package io.gatehouse.router.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.admin.MetricsSnapshot;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.log.AccessLogEntry;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlPlaneTest
{
    private final List<GatehouseConfig> applied = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    private static String config(final Path accessLog, final int maxConnections)
    {
        return "runtime:\n  access_log: \"" + accessLog + "\"\n  max_connections: " + maxConnections + "\n"
            + "listeners:\n  - address: 127.0.0.1:0\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n"
            + "admin: {address: 127.0.0.1:0}\n";
    }

    @Test
    void shouldServeMetricsAndFollowAReloadedConfig(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        final Path firstLog = dir.resolve("first.log");
        final Path secondLog = dir.resolve("second.log");
        Files.writeString(file, config(firstLog, 5));
        try (ControlPlane plane = ControlPlane.start(file, ConfigLoader.load(file), applied::add, log::add, false))
        {
            assertTrue(plane.connectionLimit().tryAcquire());
            plane.accessLog().offer(entry());
            waitFor(() -> lines(firstLog) == 1);

            Files.writeString(file, config(secondLog, 7));
            assertEquals(200, post(plane.adminAddress()));
            assertEquals(1, applied.size());
            assertEquals(secondLog.toString(), plane.accessLog().target());
            plane.accessLog().offer(entry());
            waitFor(() -> lines(secondLog) == 1);
            assertEquals(1, lines(firstLog));

            final MetricsSnapshot metrics = MetricsSnapshot.parse(get(plane.adminAddress()));
            assertEquals(7, metrics.sum("gatehouse_connection_limit_max"));
            assertEquals(1, metrics.sum("gatehouse_connection_limit_open"));
            assertEquals(1, metrics.sum("gatehouse_config_reloads_total", "result", "applied"));
            assertEquals(1, metrics.sum("gatehouse_access_log_lines_total"));
            assertEquals("gauge", metrics.type("gatehouse_backend_up"));

            Files.writeString(file, config(secondLog, 7).replace("runtime:", "runtime:\n  access_log_typo: x"));
            assertEquals(422, post(plane.adminAddress()));
            assertEquals(1, applied.size());
        }
    }

    @Test
    void shouldLeaveNothingRunningWhenTheAdminAddressIsTaken(@TempDir final Path dir) throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Path file = dir.resolve("gh.yaml");
            Files.writeString(file, "listeners:\n  - address: 127.0.0.1:0\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n"
                + "admin: {address: 127.0.0.1:" + taken.getLocalPort() + "}\n");
            final IOException ex = assertThrows(IOException.class,
                () -> ControlPlane.start(file, ConfigLoader.load(file), applied::add, log::add, false));
            assertTrue(ex.getMessage().startsWith("admin address 127.0.0.1:" + taken.getLocalPort()), ex.getMessage());
            waitFor(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("gatehouse-health") && t.isAlive()));
        }
    }

    @Test
    void shouldRunWithoutAdminOrAccessLog(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, "listeners:\n  - address: 127.0.0.1:0\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n");
        try (ControlPlane plane = ControlPlane.start(file, ConfigLoader.load(file), applied::add, log::add, false))
        {
            assertNull(plane.adminAddress());
            assertNull(plane.accessLog());
            assertEquals(ReloadOutcome.Result.APPLIED, plane.reloader().reload("test").result());
        }
    }

    private static AccessLogEntry entry() throws Exception
    {
        return new AccessLogEntry(1, 0, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1), "l", null, null, null, null,
            null, 0, 0, 1, -1, -1, "client_closed");
    }

    private static long lines(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readAllLines(file).size() : -1;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static int post(final InetSocketAddress admin) throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL(
            "http://127.0.0.1:" + admin.getPort() + "/reload").openConnection();
        connection.setRequestMethod("POST");
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(5_000);
        final int status = connection.getResponseCode();
        connection.disconnect();
        return status;
    }

    private static String get(final InetSocketAddress admin) throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL(
            "http://127.0.0.1:" + admin.getPort() + "/metrics").openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(5_000);
        try
        {
            return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        finally
        {
            connection.disconnect();
        }
    }

    private static void waitFor(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("condition not met within 15s");
            }
            Thread.sleep(5);
        }
    }
}
