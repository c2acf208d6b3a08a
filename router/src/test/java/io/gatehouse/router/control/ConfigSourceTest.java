package io.gatehouse.router.control;

import io.gatehouse.router.admin.ReloadOutcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seam a control plane feeds: its listeners beside the file's, through the reloader, as a reload. */
class ConfigSourceTest
{
    private static final String FILE = "xds:\n  server: 127.0.0.1:18000\n  node: {id: gh-1, cluster: ingress}\n"
        + "listeners:\n  - name: static\n    address: 127.0.0.1:0\n    routes:\n      - hostnames: [a.test]\n"
        + "        backends: [127.0.0.1:1001]\n";

    private final List<GatehouseConfig> applied = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    private static ListenerConfig sourced(final String name, final String host, final int port)
    {
        final RouteConfig route = new RouteConfig(List.of(), List.of(), List.of(new BackendConfig(new HostPort("127.0.0.1", 2001), 1)),
            RouteConfig.Balance.ROUND_ROBIN, RouteConfig.HashKey.FOUR_TUPLE, RouteConfig.ProxyProtocolOut.NONE, 1000, 1,
            List.of(), List.of(), null, "default");
        return new ListenerConfig(name, new HostPort(host, port), ListenerConfig.Protocol.TLS, ListenerConfig.RelayMode.COPY,
            List.of(), List.of(), List.of(route), "default", null, 0, 5000, 16384, List.of());
    }

    private static List<String> names(final GatehouseConfig config)
    {
        return config.listeners().stream().map(ListenerConfig::name).collect(Collectors.toList());
    }

    @Test
    void shouldServeTheSourcesListenersBesideTheFilesAndKeepThemThroughAFileReload(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, FILE);
        try (ConfigReloader reloader = new ConfigReloader(file, ConfigLoader.load(file), applied::add, log::add, () -> 0L))
        {
            final ReloadOutcome offered = reloader.offer("xds lds version 1", List.of(sourced("0.0.0.0_443", "127.0.0.1", 0)));
            assertTrue(offered.applied(), offered.message());
            assertEquals(List.of("static", "0.0.0.0_443"), names(reloader.current()));
            assertEquals(2, offered.generation());

            Files.writeString(file, FILE.replace("1001", "1002"));
            final ReloadOutcome reloaded = reloader.reload("SIGHUP");
            assertTrue(reloaded.applied(), reloaded.message());
            assertEquals(List.of("static", "0.0.0.0_443"), names(reloader.current()));
            assertEquals(1002, reloader.current().listeners().get(0).routes().get(0).backends().get(0).address().port());
            assertEquals("default", reloader.current().listeners().get(1).routes().get(0).id());

            final ReloadOutcome emptied = reloader.offer("xds lds version 2", List.of());
            assertTrue(emptied.applied(), emptied.message());
            assertEquals(List.of("static"), names(reloader.current()));
            assertEquals(3, applied.size());
        }
    }

    @Test
    void shouldRefuseASourcedListenerWhoseNameOrAddressIsTheFilesAndKeepThePreviousSet(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, FILE.replace("127.0.0.1:0", "127.0.0.1:25999"));
        try (ConfigReloader reloader = new ConfigReloader(file, ConfigLoader.load(file), applied::add, log::add, () -> 0L))
        {
            assertTrue(reloader.offer("xds 1", List.of(sourced("a", "127.0.0.1", 0))).applied());
            final ReloadOutcome sameName = reloader.offer("xds 2", List.of(sourced("static", "127.0.0.1", 0)));
            assertEquals(ReloadOutcome.Result.INVALID, sameName.result());
            assertEquals("listener 'static' is already defined (in the file, or twice)", sameName.message());
            final ReloadOutcome sameAddress = reloader.offer("xds 3", List.of(sourced("b", "127.0.0.1", 25999)));
            assertEquals(ReloadOutcome.Result.INVALID, sameAddress.result());
            assertTrue(sameAddress.message().contains("address 127.0.0.1:25999 is already another listener's"), sameAddress.message());
            assertEquals(List.of("static", "a"), names(reloader.current()));
            assertEquals(1, applied.size());
        }
    }

    @Test
    void shouldKeepThePreviousSetWhenTheTargetCannotApplyAnOffer(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        Files.writeString(file, FILE);
        final ReloadTarget refusing = next ->
        {
            if (next.listeners().size() > 1)
            {
                throw new IllegalStateException("cannot bind 127.0.0.1:1");
            }
        };
        try (ConfigReloader reloader = new ConfigReloader(file, ConfigLoader.load(file), refusing, log::add, () -> 0L))
        {
            final ReloadOutcome outcome = reloader.offer("xds 1", List.of(sourced("a", "127.0.0.1", 1)));
            assertEquals(ReloadOutcome.Result.FAILED, outcome.result());
            assertEquals("not applied: cannot bind 127.0.0.1:1", outcome.message());
            assertEquals(List.of("static"), names(reloader.current()));
            Files.writeString(file, FILE.replace("1001", "1003"));
            assertTrue(reloader.reload("SIGHUP").applied(), "a file reload does not bring back the refused set");
        }
    }

    @Test
    void shouldLoadXdsAloneAndRefusePlaintextOffLoopback() throws Exception
    {
        final GatehouseConfig alone = ConfigLoader.parse("xds:\n  server: '[::1]:18000'\n  node: {id: gh-1}\n", Path.of("x.yaml"));
        assertTrue(alone.listeners().isEmpty());
        assertEquals("gh-1", alone.xds().nodeId());
        assertEquals("", alone.xds().nodeCluster());
        assertNull(alone.xds().tls());

        final ConfigException offLoopback = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
            "xds:\n  server: 192.0.2.10:18000\n  node: {id: gh-1}\n", Path.of("x.yaml")));
        assertTrue(offLoopback.getMessage().startsWith("x.yaml:2:11: xds server 192.0.2.10:18000 is not on loopback"),
            offLoopback.getMessage());
        final GatehouseConfig withTls = ConfigLoader.parse("xds:\n  server: 192.0.2.10:18000\n  node: {id: gh-1}\n"
            + "  tls: {ca: /etc/gatehouse/xds-ca.pem, cert: /etc/gatehouse/c.pem, key: /etc/gatehouse/k.pem}\n", Path.of("x.yaml"));
        assertEquals(Path.of("/etc/gatehouse/xds-ca.pem"), withTls.xds().tls().ca());

        final ConfigException noNode = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
            "xds:\n  server: 127.0.0.1:18000\n", Path.of("x.yaml")));
        assertTrue(noNode.getMessage().contains("xds needs 'node: {id: NAME}'"), noNode.getMessage());
        final ConfigException neither = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
            "runtime: {workers: 1}\n", Path.of("x.yaml")));
        assertTrue(neither.getMessage().contains("missing 'listeners:' (at least one listener, or 'xds:')"), neither.getMessage());
    }
}
