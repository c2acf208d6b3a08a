package io.gatehouse.router.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.admin.Readiness;
import io.gatehouse.router.admin.ReloadOutcome;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A router whose file holds {@code xds:} alone is ready once the source's first set serves, not before. */
class SourceReadinessTest
{
    private static final String FILE = "xds:\n  server: 127.0.0.1:18000\n  node: {id: gh-1, cluster: ingress}\n";

    private final List<GatehouseConfig> applied = new CopyOnWriteArrayList<>();

    private static List<ListenerConfig> listeners(final Path dir, final String name) throws Exception
    {
        final Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "listeners:\n  - name: " + name + "\n    address: 127.0.0.1:0\n    routes:\n"
            + "      - hostnames: [b.test]\n        backends: [127.0.0.1:1002]\n");
        return ConfigLoader.load(file).listeners();
    }

    @Test
    void shouldStayNotReadyUntilTheSourcesFirstSetServes(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, FILE);
        final Readiness readiness = new Readiness();
        try (ConfigReloader reloader = new ConfigReloader(file, ConfigLoader.load(file), applied::add, line -> { }, () -> 0L))
        {
            final SourceReadiness sink = new SourceReadiness(reloader, readiness);
            assertEquals(Readiness.State.STARTING, readiness.state(), "nothing serves before the source's first set");

            final List<ListenerConfig> twice = new java.util.ArrayList<>(listeners(dir, "sourced"));
            twice.addAll(listeners(dir, "sourced"));
            final ReloadOutcome clash = sink.offer("xds lds version 1", twice);
            assertEquals(ReloadOutcome.Result.INVALID, clash.result(), clash.message());
            assertEquals(Readiness.State.STARTING, readiness.state(), "a refused set serves nothing of the source's");

            final ReloadOutcome first = sink.offer("xds lds version 2", listeners(dir, "sourced"));
            assertTrue(first.applied(), first.message());
            assertEquals(Readiness.State.READY, readiness.state());
            assertEquals(1, applied.size());
        }
    }

    @Test
    void shouldNotMakeADrainingProcessReadyAgain(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, FILE);
        final Readiness readiness = new Readiness();
        try (ConfigReloader reloader = new ConfigReloader(file, ConfigLoader.load(file), applied::add, line -> { }, () -> 0L))
        {
            final SourceReadiness sink = new SourceReadiness(reloader, readiness);
            assertTrue(sink.offer("xds lds version 1", listeners(dir, "sourced")).applied());
            readiness.draining();
            assertTrue(sink.offer("xds lds version 2", listeners(dir, "later")).applied());
            assertFalse(readiness.isReady(), "withdrawn for good once the drain started");
        }
    }
}
