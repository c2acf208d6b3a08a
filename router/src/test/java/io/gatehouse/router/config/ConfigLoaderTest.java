package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigLoaderTest
{
    private static final Path NAME = Path.of("gh.yaml");

    private static final String MINIMAL = "listeners: [{address: 127.0.0.1:1, routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]}]\n";

    private static final String FULL = """
        runtime:
          transport: epoll
          workers: 4
          drain_timeout: 10s
          idle_timeout: 2m
          access_log: /var/log/gatehouse/access.log
          max_connections: 50000
          watch_config: true
        listeners:
          - name: public
            address: 127.0.0.1:8446
            protocol: tls
            relay: splice
            allow: [127.0.0.0/8, "::1/128"]
            deny: [127.0.0.2/32]
            proxy_protocol_from: [10.0.0.0/8]
            peek_timeout: 250ms
            half_closed_timeout: 1500ms
            peek_max_bytes: 32768
            server_first: {route: smtp.example.test, delay: 100ms}
            limits:
              max_connections_per_source: 100
              new_connections_per_second_per_source: 20
              burst: 40
            routes:
              - hostnames: [A.Example.Test., "*.a.example.test"]
                alpn: [h2, http/1.1]
                backends: [127.0.0.1:9443, {address: "[::1]:9444", weight: 3}]
                balance: ring_hash
                hash_key: sni
                proxy_protocol: v2
                connect_timeout: 500ms
                connect_attempts: 2
                allow: [127.0.0.0/24]
                deny: [127.0.0.9]
                health:
                  check: tls
                  interval: 2s
                  timeout: 500ms
                  rise: 3
                  fall: 4
                  eject_after: 7
                  eject_backoff: 1s
                  eject_backoff_max: 1m
                  when_all_down: fail_open
              - hostnames: [smtp.example.test]
                backends:
                  - 127.0.0.1:2525
            default: a.example.test
          - address: "[::1]:0"
            routes:
              - hostnames: [b.test]
                backends: [localhost:80]
        admin:
          address: 127.0.0.1:9901
        """;

    @Test
    void shouldLoadEveryKey() throws ConfigException
    {
        final GatehouseConfig config = ConfigLoader.parse(FULL, NAME);
        assertEquals(NAME, config.source());
        final RuntimeConfig runtime = config.runtime();
        assertEquals(RuntimeConfig.Transport.EPOLL, runtime.transport());
        assertEquals(4, runtime.workers());
        assertEquals(10_000, runtime.drainTimeoutMs());
        assertEquals(120_000, runtime.idleTimeoutMs());
        assertEquals("/var/log/gatehouse/access.log", runtime.accessLog());
        assertEquals(50_000, runtime.maxConnections());
        assertTrue(runtime.watchConfig());

        final ListenerConfig listener = config.listeners().get(0);
        assertEquals("public", listener.name());
        assertEquals(new HostPort("127.0.0.1", 8446), listener.address());
        assertEquals(ListenerConfig.Protocol.TLS, listener.protocol());
        assertEquals(ListenerConfig.RelayMode.SPLICE, listener.relay());
        assertEquals(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")), listener.allow());
        assertEquals(List.of(Cidr.parse("127.0.0.2/32")), listener.deny());
        assertEquals(List.of(Cidr.parse("10.0.0.0/8")), listener.proxyProtocolFrom());
        assertEquals(250, listener.peekTimeoutMs());
        assertEquals(1500, listener.halfClosedTimeoutMs());
        assertEquals(32768, listener.peekMaxBytes());
        assertEquals("smtp.example.test", listener.serverFirstRoute());
        assertEquals(100, listener.serverFirstDelayMs());
        assertEquals(new SourceLimitConfig(100, 20, 40), listener.limits());
        assertEquals("a.example.test", listener.defaultRoute());

        final RouteConfig route = listener.routes().get(0);
        assertEquals(List.of("a.example.test", "*.a.example.test"), route.hostnames());
        assertEquals("a.example.test", route.id());
        assertEquals(List.of("h2", "http/1.1"), route.alpn());
        assertEquals(List.of(new BackendConfig(new HostPort("127.0.0.1", 9443), 1), new BackendConfig(new HostPort("::1", 9444), 3)),
            route.backends());
        assertEquals(RouteConfig.Balance.RING_HASH, route.balance());
        assertEquals(RouteConfig.HashKey.SNI, route.hashKey());
        assertEquals(RouteConfig.ProxyProtocolOut.V2, route.proxyProtocol());
        assertEquals(500, route.connectTimeoutMs());
        assertEquals(2, route.connectAttempts());
        assertEquals(List.of(Cidr.parse("127.0.0.0/24")), route.allow());
        assertEquals(List.of(Cidr.parse("127.0.0.9/32")), route.deny());
        assertEquals(new HealthCheckConfig(HealthCheckConfig.Check.TLS, 2_000, 500, 3, 4, 7, 1_000, 60_000,
            HealthCheckConfig.AllDown.FAIL_OPEN), route.health());

        final ListenerConfig second = config.listeners().get(1);
        assertEquals("[::1]:0", second.name());
        assertEquals(ListenerConfig.DEFAULT_HALF_CLOSED_TIMEOUT_MS, second.halfClosedTimeoutMs(), "default 60s");
        assertEquals(new HostPort("::1", 0), second.address());
        assertNull(second.defaultRoute());
        assertEquals(new HostPort("127.0.0.1", 9901), config.admin().address());
    }

    @Test
    void shouldShowTheHalfClosedTimeoutInTheConfigJson() throws Exception
    {
        final GatehouseConfig config = ConfigLoader.parse("listeners:\n  - address: 127.0.0.1:0\n    half_closed_timeout: 2s\n"
            + "    routes: [{hostnames: [a.test], backends: [127.0.0.1:9]}]\n"
            + "  - address: 127.0.0.1:1\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:9]}]\n", Path.of("c.yaml"));
        final String json = io.gatehouse.router.admin.ConfigJson.render(config, 1, java.util.Map.of());
        assertTrue(json.contains("\"half_closed_timeout_ms\": 2000"), json);
        assertTrue(json.contains("\"half_closed_timeout_ms\": 60000"), json);
    }

    @Test
    void shouldApplyDefaultsToTheContractsMinimalConfig() throws ConfigException
    {
        final GatehouseConfig config = ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:8446
                routes:
                  - hostnames: [a.example.test]
                    backends: [127.0.0.1:9443]
                default: reject
            """, NAME);
        final ListenerConfig listener = config.listeners().get(0);
        assertEquals("127.0.0.1:8446", listener.name());
        assertEquals(ListenerConfig.Protocol.AUTO, listener.protocol());
        assertEquals(ListenerConfig.RelayMode.COPY, listener.relay());
        assertTrue(listener.allow().isEmpty());
        assertEquals(ListenerConfig.DEFAULT_PEEK_TIMEOUT_MS, listener.peekTimeoutMs());
        assertEquals(ListenerConfig.DEFAULT_PEEK_MAX_BYTES, listener.peekMaxBytes());
        assertNull(listener.defaultRoute());
        assertNull(listener.serverFirstRoute());
        assertTrue(listener.limits().isNone());
        final RouteConfig route = listener.routes().get(0);
        assertEquals(RouteConfig.Balance.MAGLEV, route.balance());
        assertEquals(RouteConfig.HashKey.SOURCE_IP, route.hashKey());
        assertEquals(RouteConfig.ProxyProtocolOut.NONE, route.proxyProtocol());
        assertEquals(RouteConfig.DEFAULT_CONNECT_TIMEOUT_MS, route.connectTimeoutMs());
        assertEquals(RouteConfig.DEFAULT_CONNECT_ATTEMPTS, route.connectAttempts());
        assertEquals(HealthCheckConfig.DEFAULT, route.health());
        assertEquals(RuntimeConfig.DEFAULT, config.runtime());
        assertNull(config.admin());
    }

    @Test
    void shouldParseTheEmbeddedDemoConfig()
    {
        final GatehouseConfig config = GatehouseConfig.embeddedDefault();
        assertEquals(new HostPort("127.0.0.1", 8446), config.listeners().get(0).address());
        assertEquals(new HostPort("127.0.0.1", 9901), config.admin().address());
        assertEquals("a.demo.test", config.listeners().get(0).defaultRoute());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top key     | 'listenrs: []'                                                       | 1 | 1  | unknown key 'listenrs'",
        "no listeners        | 'admin: {address: 127.0.0.1:1}'                                      | 1 | 1  | missing 'listeners:'",
        "empty               | '# nothing'                                                          | 1 | 1  | empty config",
        "unknown listener key| 'listeners:\\n  - address: 127.0.0.1:1\\n    rutes: []'              | 3 | 5  | unknown key 'rutes' in a listener",
        "bad port            | 'listeners:\\n  - address: 127.0.0.1:70000\\n    routes: []'          | 2 | 14 | port must be",
        "no port             | 'listeners:\\n  - address: 127.0.0.1\\n    routes: []'                | 2 | 14 | expected host:port",
        "ipv6 no brackets    | 'listeners:\\n  - address: \"::1:80\"\\n    routes: []'               | 2 | 14 | brackets",
        "bad ipv4            | 'listeners:\\n  - address: 300.1.1.1:80\\n    routes: []'             | 2 | 14 | not an IPv4",
        "no routes           | 'listeners:\\n  - address: 127.0.0.1:1\\n    routes: []'              | 3 | 13 | at least one route",
        "host bits           | 'listeners:\\n  - address: 127.0.0.1:1\\n    allow: [10.0.0.1/8]'     | 3 | 13 | did you mean 10.0.0.0/8",
        "prefix too long     | 'listeners:\\n  - address: 127.0.0.1:1\\n    deny: [10.0.0.0/33]'     | 3 | 12 | prefix length must be 0..32",
        "bad protocol        | 'listeners:\\n  - address: 127.0.0.1:1\\n    protocol: quic'           | 3 | 15 | expected one of: auto, tls, http",
        "peek too big        | 'listeners:\\n  - address: 127.0.0.1:1\\n    peek_max_bytes: 65537'    | 3 | 21 | must be 256..65536",
        "duration no unit    | 'listeners:\\n  - address: 127.0.0.1:1\\n    peek_timeout: 5'          | 3 | 19 | duration such as",
        "half-closed zero    | 'listeners:\\n  - address: 127.0.0.1:1\\n    half_closed_timeout: 0s'  | 3 | 26 | must be between 1ms and",
        "half-closed no unit | 'listeners:\\n  - address: 127.0.0.1:1\\n    half_closed_timeout: 60'  | 3 | 26 | duration such as",
        "splice on io_uring  | 'runtime: {transport: io_uring}\\nlisteners:\\n  - address: 127.0.0.1:1\\n    relay: splice' | 4 | 12 | needs runtime.transport: epoll",
    })
    void shouldRejectBadListenersAtTheirPosition(
        final String label, final String text, final int line, final int column, final String fragment)
    {
        assertError(text.replace("\\n", "\n"), line, column, fragment);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad weight        | 'backends: [{address: 127.0.0.1:1, weight: 1001}]' | must be 1..1000",
        "zero weight       | 'backends: [{address: 127.0.0.1:1, weight: 0}]'    | must be 1..1000",
        "backend port 0    | 'backends: [127.0.0.1:0]'                          | port must be 1..65535",
        "backend unknown   | 'backends: [{address: 127.0.0.1:1, wieght: 2}]'    | unknown key 'wieght' in a backend",
        "backend twice     | 'backends: [127.0.0.1:1, 127.0.0.1:1]'             | appears twice",
        "backend list type | 'backends: 127.0.0.1:1'                            | must be a list",
        "wildcard inside   | 'backends: [127.0.0.1:1]\\n        alpn: [\"\"]'     | ALPN protocol name is 1..255",
        "bad balance       | 'backends: [127.0.0.1:1]\\n        balance: random'  | maglev, ring_hash, round_robin, least_conn",
        "bad hash key      | 'backends: [127.0.0.1:1]\\n        hash_key: port'   | source_ip, sni, four_tuple",
        "bad proxy         | 'backends: [127.0.0.1:1]\\n        proxy_protocol: v3' | none, v1, v2",
        "attempts 0        | 'backends: [127.0.0.1:1]\\n        connect_attempts: 0' | must be 1..100",
        "health timeout    | 'backends: [127.0.0.1:1]\\n        health: {interval: 1s, timeout: 2s}' | must not be longer",
        "health check      | 'backends: [127.0.0.1:1]\\n        health: {check: http}' | none, tcp, tls",
    })
    void shouldRejectBadRoutes(final String label, final String routeTail, final String fragment)
    {
        final String text = "listeners:\n  - address: 127.0.0.1:1\n    routes:\n      - hostnames: [a.test]\n        "
            + routeTail.replace("\\n", "\n");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(text, NAME));
        assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
        assertTrue(ex.line() >= 5, ex.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "inner wildcard   | 'a.*.test'       | whole leftmost label",
        "partial wildcard | '*a.test'        | whole leftmost label",
        "bare wildcard    | '*'              | needs a suffix",
        "space            | 'a b.test'       | not allowed",
        "empty label      | 'a..test'        | empty label",
        "leading hyphen   | '-a.test'        | start or end with '-'",
    })
    void shouldRejectBadHostnames(final String label, final String hostname, final String fragment)
    {
        final String text = "listeners:\n  - address: 127.0.0.1:1\n    routes:\n      - hostnames: [\"" + hostname
            + "\"]\n        backends: [127.0.0.1:2]\n";
        assertError(text, 4, 21, fragment);
    }

    @Test
    void shouldRejectTheSameHostnameInTwoRoutesOfOneListener()
    {
        assertError("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: [a.test]
                    backends: [127.0.0.1:2]
                  - hostnames: [b.test, A.TEST.]
                    backends: [127.0.0.1:3]
            """, 6, 29, "'a.test' is already routed at line 4");
    }

    @Test
    void shouldAllowTheSameHostnameInRoutesSeparatedByAlpn() throws ConfigException
    {
        final GatehouseConfig config = ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: [a.test]
                    alpn: [h2]
                    backends: [127.0.0.1:2]
                  - hostnames: [a.test]
                    backends: [127.0.0.1:3]
            """, NAME);
        assertEquals(2, config.listeners().get(0).routes().size());
        assertError("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: [a.test]
                    alpn: [h2, http/1.1]
                    backends: [127.0.0.1:2]
                  - hostnames: [a.test]
                    alpn: [http/1.1]
                    backends: [127.0.0.1:3]
            """, 7, 21, "overlapping alpn");
    }

    @Test
    void shouldRejectDefaultNamingNoRoute()
    {
        assertError("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: [a.test]
                    backends: [127.0.0.1:2]
                default: b.test
            """, 6, 14, "no route has the hostname 'b.test'");
    }

    @Test
    void shouldRejectDuplicateListenerNamesAndAddresses()
    {
        final String route = "    routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]\n";
        assertError("listeners:\n  - name: x\n    address: 127.0.0.1:1\n" + route
            + "  - name: x\n    address: 127.0.0.1:3\n" + route, 5, 11, "duplicate listener name 'x'");
        assertError("listeners:\n  - address: 127.0.0.1:1\n    name: one\n" + route
            + "  - address: 127.0.0.1:1\n    name: two\n" + route, 5, 14, "duplicate listener address");
    }

    @Test
    void shouldRejectServerFirstDelayNotShorterThanPeekTimeout()
    {
        assertError("""
            listeners:
              - address: 127.0.0.1:1
                peek_timeout: 1s
                server_first: {route: a.test, delay: 1s}
                routes:
                  - hostnames: [a.test]
                    backends: [127.0.0.1:2]
            """, 4, 42, "must be shorter than peek_timeout");
    }

    @Test
    void shouldWarnWhenAWildcardAndANameItCoversGoToDifferentPools() throws ConfigException
    {
        final ConfigLoader.Loaded loaded = ConfigLoader.parseWithWarnings("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: ["*.a.test"]
                    backends: [127.0.0.1:2]
                  - hostnames: [x.a.test, y.b.a.test]
                    backends: [127.0.0.1:3]
                  - hostnames: [z.a.test]
                    backends: [127.0.0.1:2]
            """, NAME);
        assertEquals(2, loaded.warnings().size(), loaded.warnings().toString());
        final String warning = loaded.warnings().get(0);
        assertTrue(warning.startsWith("gh.yaml:6:21: warning: 'x.a.test' and '*.a.test' (line 4)"), warning);
        assertTrue(warning.contains("coalescing"), warning);
        assertTrue(loaded.warnings().get(1).startsWith("gh.yaml:6:31: warning: 'y.b.a.test' and '*.a.test' (line 4)"),
            loaded.warnings().get(1));
    }

    @Test
    void shouldTakeSpliceWithTransportAutoWhichPicksEpoll() throws ConfigException
    {
        final ConfigLoader.Loaded loaded = ConfigLoader.parseWithWarnings("""
            listeners:
              - address: 127.0.0.1:1
                relay: splice
                routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]
            """, NAME);
        assertEquals(List.of(), loaded.warnings());
        assertEquals(ListenerConfig.RelayMode.SPLICE, loaded.config().listeners().get(0).relay());
        final ConfigException onIoUring = assertThrows(ConfigException.class, () -> ConfigLoader.parseWithWarnings("""
            runtime: {transport: io_uring}
            listeners:
              - address: 127.0.0.1:1
                relay: splice
                routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]
            """, NAME));
        assertTrue(onIoUring.getMessage().contains("relay: splice needs runtime.transport: epoll"), onIoUring.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1} ms")
    @CsvSource({
        "250ms, 250", "5s, 5000", "1.5s, 1500", "1m30s, 90000", "2m, 120000", "1h, 3600000", "59m59.999s, 3599999",
        "0.25s, 250", "1m0.5s, 60500",
    })
    void shouldReadDurationsAsOperatorsWriteThem(final String written, final long ms) throws ConfigException
    {
        final GatehouseConfig config = ConfigLoader.parse("runtime: {drain_timeout: " + written + "}\n" + MINIMAL, NAME);
        assertEquals(ms, config.runtime().drainTimeoutMs());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "1.5ms  | whole milliseconds",
        "1.5    | duration such as 250ms, 1.5s, 1m30s or 1h",
        "1m30   | duration such as",
        "s      | duration such as",
        "-1s    | duration such as",
        "2h     | must be between 0s and 3600s",
    })
    void shouldRefuseDurationsItCannotRead(final String written, final String fragment)
    {
        assertError("runtime: {drain_timeout: " + written + "}\n" + MINIMAL, 1, 26, fragment);
    }

    @Test
    void shouldShareBackendsAndDefaultsThroughAnchorsAliasesAndMergeKeys() throws ConfigException
    {
        final GatehouseConfig config = ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - &web
                    hostnames: [a.test]
                    backends: &pool [127.0.0.1:2, {address: "[::1]:3", weight: 2}]
                    balance: ring_hash
                    connect_timeout: 1.5s
                  - <<: *web
                    hostnames: [b.test]
                    connect_timeout: 250ms
                  - {hostnames: [c.test], backends: *pool}
            """, NAME);
        final List<RouteConfig> routes = config.listeners().get(0).routes();
        assertEquals(routes.get(0).backends(), routes.get(1).backends());
        assertEquals(routes.get(0).backends(), routes.get(2).backends());
        assertEquals(RouteConfig.Balance.RING_HASH, routes.get(1).balance());
        assertEquals(1500, routes.get(0).connectTimeoutMs());
        assertEquals(250, routes.get(1).connectTimeoutMs());
        assertEquals(List.of("b.test"), routes.get(1).hostnames());
        assertEquals(RouteConfig.Balance.MAGLEV, routes.get(2).balance());
    }

    @Test
    void shouldPointAnErrorInAMergedValueAtWhereItIsWritten()
    {
        assertError("""
            x-defaults: &d {connect_attempts: 0}
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - <<: *d
                    hostnames: [a.test]
                    backends: [127.0.0.1:2]
            """, 1, 35, "must be 1..100");
        assertError("defaults: {}\n" + MINIMAL, 1, 1, "unknown key 'defaults' in the config");
        assertError("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - &d {hostnames: [a.test], backends: [127.0.0.1:2], connect_attempts: 0}
            """, 4, 77, "must be 1..100");
    }

    @Test
    void shouldRefuseAnUnquotedIpv6AddressWhichYamlReadsAsAList()
    {
        // The hand-written reader before SnakeYAML took `address: [::1]:21444` as the address; YAML 1.2 reads a
        // flow list there and no YAML parser accepts the rest, so the address is written quoted.
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
            "listeners:\n  - address: [::1]:21444\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]\n", NAME));
        assertEquals(2, ex.line(), ex.getMessage());
        assertTrue(ex.problem().contains("write an IPv6 address in quotes: \"[::1]:8446\""), ex.getMessage());
    }

    @Test
    void shouldRefuseTenThousandNestedBracketsWithAPositionedError()
    {
        final String text = "listeners:\n  - address: 127.0.0.1:1\n    allow: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(text, NAME));
        assertEquals("gh.yaml:3:" + (12 + YamlComposer.MAX_DEPTH - 3) + ": nested deeper than 64 levels of lists and mappings",
            ex.getMessage());
    }

    @Test
    void shouldNameTheFileWhenItCannotBeRead(@TempDir final Path dir) throws Exception
    {
        final Path missing = dir.resolve("missing.yaml");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(missing + ": no such file", ex.getMessage());
        final Path binary = dir.resolve("binary.yaml");
        Files.write(binary, new byte[] {(byte)0xC3, (byte)0x28});
        assertEquals(binary + ": not valid UTF-8 text", assertThrows(ConfigException.class, () -> ConfigLoader.load(binary)).getMessage());
        final Path good = dir.resolve("good.yaml");
        Files.writeString(good, FULL);
        assertEquals(good, ConfigLoader.load(good).source());
    }

    @Test
    void shouldParseAddressesAndCidrsOfBothFamilies()
    {
        assertEquals(new HostPort("::1", 8446), HostPort.parse("[::1]:8446"));
        assertEquals("[::1]:8446", HostPort.parse("[::1]:8446").toString());
        assertEquals(new HostPort("backend.internal", 80), HostPort.parse("backend.internal:80"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("[nothex]:80"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(":80"));
        final Cidr v6 = Cidr.parse("2001:db8::/32");
        assertEquals(32, v6.prefixLength());
        assertTrue(v6.contains(InetLiteral.parse("2001:db8:ffff::1")));
        assertFalse(v6.contains(InetLiteral.parse("2001:db9::1")));
        assertFalse(v6.contains(InetLiteral.parse("10.0.0.1")));
        assertArrayEquals(new byte[] {10, 0, 0, 0}, Cidr.parse("10.0.0.0/8").address());
        assertEquals(32, Cidr.parse("10.1.2.3").prefixLength());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("2001:db8::1/32"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/8"));
    }

    @Test
    void shouldMatchWildcardsAtAnyDepthAsTheRouteTableDoes()
    {
        assertTrue(Hostname.wildcardCovers("*.a.test", "x.a.test"));
        assertTrue(Hostname.wildcardCovers("*.a.test", "y.x.a.test"));
        assertFalse(Hostname.wildcardCovers("*.a.test", "*.x.a.test"));
        assertFalse(Hostname.wildcardCovers("*.a.test", "a.test"));
        assertFalse(Hostname.wildcardCovers("*.a.test", "xa.test"));
        assertEquals("a.example.test", Hostname.normalise("A.Example.TEST."));
    }

    @Test
    void shouldDocumentEveryKeyInTheOperationsReadme() throws Exception
    {
        final String doc = Files.readString(Path.of("README-operations.md"));
        for (final String key : ConfigLoader.knownKeys())
        {
            assertTrue(doc.contains("`" + key + "`") || doc.contains("`" + key + ":`"), "README-operations.md does not document " + key);
        }
    }

    @Test
    void shouldAcceptTheShippedSampleConfigs() throws Exception
    {
        final Path systemdSample = Path.of("..", "systemd", "gatehouse.yaml");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(systemdSample), "no systemd sample in this checkout");
        final ConfigLoader.Loaded loaded = ConfigLoader.loadWithWarnings(systemdSample);
        assertEquals(2, loaded.config().listeners().size());
        assertTrue(loaded.warnings().isEmpty(), loaded.warnings().toString());
    }

    private static void assertError(final String text, final int line, final int column, final String fragment)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(text, NAME));
        assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
        assertEquals("gh.yaml:" + line + ":" + column + ": " + ex.problem(), ex.getMessage());
        assertTrue(ex.getMessage().indexOf('\n') < 0, ex.getMessage());
    }
}
