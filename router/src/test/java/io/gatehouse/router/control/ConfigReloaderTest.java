package io.gatehouse.router.control;

import io.gatehouse.router.admin.ReloadOutcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.admin.AdminServer;
import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.metrics.SnapshotWriter;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.HostPort;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigReloaderTest
{
    private static String config(final int backendPort)
    {
        return "listeners:\n  - address: 127.0.0.1:0\n    routes:\n      - hostnames: [a.test]\n        backends: [127.0.0.1:"
            + backendPort + "]\n";
    }

    private final List<GatehouseConfig> applied = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    private ConfigReloader reloader(final Path file, final ReloadTarget target) throws Exception
    {
        return new ConfigReloader(file, ConfigLoader.load(file), target, log::add, () -> 1_700_000_000_000L);
    }

    @Test
    void shouldApplyAValidConfigAndKeepTheOldOneWhenTheNewIsInvalid(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add))
        {
            Files.writeString(file, config(1002));
            ReloadOutcome outcome = reloader.reload("test");
            assertEquals(ReloadOutcome.Result.APPLIED, outcome.result());
            assertEquals("generation 2: 1 listener, 1 route", outcome.message());
            assertEquals(1002, reloader.current().listeners().get(0).routes().get(0).backends().get(0).address().port());
            assertEquals(1, applied.size());

            final GatehouseConfig serving = reloader.current();
            Files.writeString(file, config(1003).replace("hostnames", "hostname"));
            outcome = reloader.reload("test");
            assertEquals(ReloadOutcome.Result.INVALID, outcome.result());
            assertEquals(file + ":4:9: unknown key 'hostname' in a route (expected one of: allow, alpn, backends, balance, "
                + "connect_attempts, connect_timeout, deny, hash_key, health, hostnames, proxy_protocol)", outcome.message());
            assertSame(serving, reloader.current());
            assertEquals(2, outcome.generation());
            assertEquals(1, applied.size());
            assertTrue(log.get(log.size() - 1).contains("rejected, old config still serving"), log.toString());

            final SnapshotWriter writer = new SnapshotWriter();
            reloader.writeTo(writer);
            final io.gatehouse.router.metrics.MetricsSnapshot scrape = io.gatehouse.router.metrics.MetricsSnapshot.parse(writer.text());
            assertEquals(1, scrape.sum("gatehouse_config_reloads_total", "result", "applied"), writer.text());
            assertEquals(1, scrape.sum("gatehouse_config_reloads_total", "result", "invalid"), writer.text());
            assertEquals(2, scrape.sum("gatehouse_config_generation"), writer.text());
        }
    }

    @Test
    void shouldKeepTheOldConfigWhenTheTargetFailsToApply(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, config ->
        {
            throw new java.net.BindException("127.0.0.1:1: address in use");
        }))
        {
            final GatehouseConfig serving = reloader.current();
            Files.writeString(file, config(1002));
            final ReloadOutcome outcome = reloader.reload("test");
            assertEquals(ReloadOutcome.Result.FAILED, outcome.result());
            assertEquals("not applied: 127.0.0.1:1: address in use", outcome.message());
            assertSame(serving, reloader.current());
            assertEquals(1, reloader.generation());
        }
    }

    @Test
    void shouldReloadOnPostToTheAdminEndpoint(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add);
             AdminServer admin = AdminServer.start(new HostPort("127.0.0.1", 0), new MetricsRegistry(), reloader))
        {
            Files.writeString(file, "listeners: [\n");
            final HttpURLConnection bad = post(admin);
            assertEquals(422, bad.getResponseCode());
            final String error = new String(bad.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(error.startsWith(file + ":2:1: "), error);

            Files.writeString(file, config(1002));
            final HttpURLConnection good = post(admin);
            assertEquals(200, good.getResponseCode());
            assertEquals(1, applied.size());
        }
    }

    private static HttpURLConnection post(final AdminServer admin) throws Exception
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL(
            "http://127.0.0.1:" + admin.boundAddress().getPort() + "/reload").openConnection();
        connection.setRequestMethod("POST");
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(5_000);
        return connection;
    }

    @Test
    void shouldReloadOnSighupAndRunTheUsr1Hook(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        final AtomicInteger reopened = new AtomicInteger();
        try (ConfigReloader reloader = reloader(file, applied::add))
        {
            reloader.installSignalHandlers(reopened::incrementAndGet);
            Files.writeString(file, config(1002));
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            waitFor(() -> applied.size() == 1);
            sun.misc.Signal.raise(new sun.misc.Signal("USR1"));
            waitFor(() -> reopened.get() == 1);
            assertEquals(2, reloader.generation());
        }
    }

    @Test
    void shouldReloadWhenTheWatchedFileIsReplaced(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add))
        {
            reloader.startWatching();
            final Path staged = dir.resolve("gh.yaml.new");
            Files.writeString(staged, config(1002));
            Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            waitFor(() -> applied.size() == 1);
            Files.writeString(dir.resolve("unrelated.txt"), "x");
            Files.writeString(file, config(1003));
            waitFor(() -> applied.size() == 2);
            assertEquals(1003, applied.get(1).listeners().get(0).routes().get(0).backends().get(0).address().port());
        }
    }

    /** Issue 12.6: {@code allow:} followed by 10,000 {@code [} and {@code ]}, which once overflowed the stack. */
    private static String nested()
    {
        return "listeners:\n  - address: 127.0.0.1:0\n    allow: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
    }

    private static final String NESTED_ERROR = ":3:73: nested deeper than 64 levels of lists and mappings";

    @Test
    void shouldAnswerTheNestedFileOnPostReloadAndApplyTheNextSave(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add);
             AdminServer admin = AdminServer.start(new HostPort("127.0.0.1", 0), new MetricsRegistry(), reloader))
        {
            Files.writeString(file, nested());
            final HttpURLConnection bad = post(admin);
            assertEquals(422, bad.getResponseCode());
            assertEquals(file + NESTED_ERROR + "\n", new String(bad.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            Files.writeString(file, config(1002));
            assertEquals(200, post(admin).getResponseCode());
            assertEquals(1, applied.size());
        }
    }

    @Test
    void shouldAnswerTheNestedFileOnSighupAndApplyTheNextSave(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add))
        {
            reloader.installSignalHandlers(null);
            Files.writeString(file, nested());
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            waitFor(() -> log.stream().anyMatch(line -> line.contains("(SIGHUP) rejected") && line.endsWith(file + NESTED_ERROR)));
            Files.writeString(file, config(1002));
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            waitFor(() -> applied.size() == 1);
            assertEquals(2, reloader.generation());
        }
    }

    @Test
    void shouldAnswerTheNestedFileOnAFileChangeAndApplyTheNextSave(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add))
        {
            reloader.startWatching();
            Files.writeString(file, nested());
            waitFor(() -> log.stream().anyMatch(line -> line.contains("(file change) rejected")
                && line.endsWith(file + NESTED_ERROR)));
            Files.writeString(file, config(1002));
            waitFor(() -> applied.size() == 1);
            assertEquals(1002, reloader.current().listeners().get(0).routes().get(0).backends().get(0).address().port());
        }
    }

    @Test
    void shouldAnswerAnyThrowableFromLoadingOrApplyingAndKeepEveryTriggerAlive(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        final java.util.Deque<Throwable> faults = new java.util.concurrent.ConcurrentLinkedDeque<>(List.of(
            new StackOverflowError(), new OutOfMemoryError("Java heap space"), new IllegalStateException("bug"),
            new StackOverflowError(), new StackOverflowError()));
        final ConfigReloader.Loader faulty = path ->
        {
            final Throwable fault = faults.poll();
            if (fault instanceof Error error)
            {
                throw error;
            }
            if (fault instanceof RuntimeException runtime)
            {
                throw runtime;
            }
            return ConfigLoader.loadWithWarnings(path);
        };
        final AtomicInteger applyFaults = new AtomicInteger(1);
        try (ConfigReloader reloader = new ConfigReloader(file, faulty, ConfigLoader.load(file), next ->
        {
            if (applyFaults.getAndDecrement() > 0)
            {
                throw new StackOverflowError();
            }
            applied.add(next);
        }, log::add, () -> 1L))
        {
            Files.writeString(file, config(1002));
            assertEquals(file + ": cannot load: java.lang.StackOverflowError", reloader.reload("test").message());
            assertEquals(ReloadOutcome.Result.INVALID, reloader.reload("test").result());
            assertEquals(file + ": cannot load: java.lang.IllegalStateException: bug", reloader.reload("test").message());

            reloader.installSignalHandlers(null);
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            waitFor(() -> faults.size() == 1);
            reloader.startWatching();
            Files.writeString(file, config(1002) + "# saved\n");
            waitFor(() -> faults.isEmpty() && log.stream().filter(line -> line.contains("(file change) rejected")).count() == 1);

            final ReloadOutcome failed = reloader.reload("test");
            assertEquals(ReloadOutcome.Result.FAILED, failed.result());
            assertEquals("not applied: java.lang.StackOverflowError", failed.message());
            assertEquals(1, reloader.generation());

            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            waitFor(() -> applied.size() == 1);
            Files.writeString(file, config(1003));
            waitFor(() -> applied.size() == 2);
            assertEquals(3, reloader.generation());
        }
    }

    @Test
    void shouldAnswerAnIdenticalConfigAsUnchanged(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add))
        {
            Files.writeString(file, "# reformatted, same config\n" + config(1001).replace("[a.test]", "[\"A.Test.\"]"));
            final ReloadOutcome outcome = reloader.reload("test");
            assertEquals(ReloadOutcome.Result.UNCHANGED, outcome.result());
            assertEquals("unchanged: generation 1 still serving (1 listener, 1 route)", outcome.message());
            assertTrue(outcome.serving());
            assertEquals(0, applied.size());
            assertEquals(1, reloader.generation());
            final SnapshotWriter writer = new SnapshotWriter();
            reloader.writeTo(writer);
            final io.gatehouse.router.metrics.MetricsSnapshot scrape = io.gatehouse.router.metrics.MetricsSnapshot.parse(writer.text());
            assertEquals(1, scrape.sum("gatehouse_config_reloads_total", "result", "unchanged"), writer.text());
        }
    }

    @Test
    void shouldReportARestartOnlyKeyOnlyWhileItDiffersFromTheRunningValue(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, "runtime: {transport: epoll, workers: 2}\n" + config(1001));
        try (ConfigReloader reloader = reloader(file, applied::add))
        {
            Files.writeString(file, "runtime: {transport: nio, workers: 2}\n" + config(1002));
            assertEquals("generation 2: 1 listener, 1 route (changed, applied at the next restart: runtime.transport)",
                reloader.reload("test").message());
            Files.writeString(file, "runtime: {transport: epoll, workers: 2}\n" + config(1003));
            assertEquals("generation 3: 1 listener, 1 route", reloader.reload("test").message(),
                "epoll is what the process runs: setting it back is no change");
            Files.writeString(file, "runtime: {transport: epoll, workers: 3}\nadmin: {address: 127.0.0.1:9}\n" + config(1003));
            assertEquals("generation 4: 1 listener, 1 route (changed, applied at the next restart: runtime.workers admin.address)",
                reloader.reload("test").message());
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
            Thread.sleep(10);
        }
    }
}
