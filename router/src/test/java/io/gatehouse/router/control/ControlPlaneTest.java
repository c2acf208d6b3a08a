package io.gatehouse.router.control;

import io.gatehouse.router.admin.ReloadOutcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.metrics.MetricsSnapshot;
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
            assertEquals("gauge", metrics.type("gatehouse_config_generation"));

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
            assertEquals(ReloadOutcome.Result.UNCHANGED, plane.reloader().reload("test").result());
            assertEquals(0, applied.size());
        }
    }

    @Test
    void shouldFailAReloadWhoseAccessLogCannotBeOpenedAndKeepTheOldOneWriting(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        final Path firstLog = dir.resolve("first.log");
        final Path unopenable = dir.resolve("no-such-dir").resolve("access.log");
        Files.writeString(file, config(firstLog, 5));
        try (ControlPlane plane = ControlPlane.start(file, ConfigLoader.load(file), applied::add, log::add, false))
        {
            Files.writeString(file, config(unopenable, 9));
            final ReloadOutcome outcome = plane.reloader().reload("test");
            assertEquals(ReloadOutcome.Result.FAILED, outcome.result());
            assertEquals("not applied: runtime.access_log: access log " + unopenable + ": cannot open: no such file or directory"
                + " (still writing to " + firstLog + ")", outcome.message());
            assertEquals(0, applied.size(), "the router is not handed a config whose access log cannot open");
            assertEquals(1, plane.reloader().generation());
            assertEquals(firstLog.toString(), plane.accessLog().target());

            final HttpURLConnection connection = (HttpURLConnection)new URL(
                "http://127.0.0.1:" + plane.adminAddress().getPort() + "/reload").openConnection();
            connection.setRequestMethod("POST");
            connection.setReadTimeout(5_000);
            assertEquals(422, connection.getResponseCode());
            final String body = new String(connection.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            connection.disconnect();
            assertTrue(body.contains("cannot open: no such file or directory"), body);

            plane.accessLog().offer(entry());
            waitFor(() -> lines(firstLog) == 1);
            Files.createDirectories(unopenable.getParent());
            assertEquals(ReloadOutcome.Result.APPLIED, plane.reloader().reload("test").result());
            assertEquals(unopenable.toString(), plane.accessLog().target());
        }
    }

    @Test
    void shouldCloseTheNewAccessLogWhenTheRouterRefusesTheConfig(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        final Path firstLog = dir.resolve("first.log");
        final Path secondLog = dir.resolve("second.log");
        Files.writeString(file, config(firstLog, 5));
        try (ControlPlane plane = ControlPlane.start(file, ConfigLoader.load(file), next ->
        {
            throw new java.net.BindException("127.0.0.1:1: address in use");
        }, log::add, false))
        {
            Files.writeString(file, config(secondLog, 5));
            assertEquals(ReloadOutcome.Result.FAILED, plane.reloader().reload("test").result());
            assertEquals(firstLog.toString(), plane.accessLog().target());
            plane.accessLog().offer(entry());
            waitFor(() -> lines(firstLog) == 1);
            assertEquals(0, lines(secondLog), "opened for the refused config, closed without a line");
        }
    }

    @Test
    void shouldRequireTheTokenFileTokenForPostAndFollowItsRotationOnReload(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(dir.resolve("admin.token"), "first-token\n");
        final String yaml = "listeners:\n  - address: 127.0.0.1:0\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n"
            + "admin: {address: 127.0.0.1:0, token_file: admin.token}\n";
        Files.writeString(file, yaml);
        try (ControlPlane plane = ControlPlane.start(file, ConfigLoader.load(file), applied::add, log::add, false))
        {
            assertEquals(401, post(plane.adminAddress()), "no token");
            assertEquals(401, post(plane.adminAddress(), "Bearer wrong"));
            assertEquals(0, applied.size());
            Files.writeString(dir.resolve("admin.token"), "second-token\n");
            assertEquals(200, post(plane.adminAddress(), "Bearer first-token"), "the token read at start");
            assertEquals(401, post(plane.adminAddress(), "Bearer first-token"), "the reload re-read the file");
            assertEquals(200, post(plane.adminAddress(), "Bearer second-token"));
            assertEquals(0, applied.size(), "the same config each time: answered unchanged, nothing applied, the token re-read");
        }
    }

    @Test
    void shouldRefuseToStartWhenTheTokenFileCannotBeRead(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, "listeners:\n  - address: 127.0.0.1:0\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n"
            + "admin: {address: 127.0.0.1:0, token_file: missing.token}\n");
        final IOException ex = assertThrows(IOException.class,
            () -> ControlPlane.start(file, ConfigLoader.load(file), applied::add, log::add, false));
        assertTrue(ex.getMessage().startsWith("admin.token_file " + dir.resolve("missing.token")), ex.getMessage());
    }

    private static AccessLogEntry entry() throws Exception
    {
        return new AccessLogEntry(1, 0, 0, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1), "l", null, null, null, null,
            null, null, null, 0, null, null, 0, 0, 1, -1, -1, "client_closed");
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
        return post(admin, null);
    }

    private static int post(final InetSocketAddress admin, final String authorization) throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL(
            "http://127.0.0.1:" + admin.getPort() + "/reload").openConnection();
        connection.setRequestMethod("POST");
        if (authorization != null)
        {
            connection.setRequestProperty("Authorization", authorization);
        }
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
