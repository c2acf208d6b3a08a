package io.gatehouse.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gatehouse.balancer.BalancerOptions;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.sni.ClientHelloBuilder;
import io.gatehouse.sni.FirstFlightParser;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RouteCompilerTest
{
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 9);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 10);

    @Test
    void shouldKeepTheBackendPoolOfARouteAReloadLeavesAsItWas()
    {
        final RouteCompiler compiler = new RouteCompiler(1);
        final RouteTable first = generation(compiler, listener(TestConfigs.route(List.of("a.test"), A, B),
            TestConfigs.route(List.of("b.test"), A)));
        final RouteTable second = generation(compiler, listener(TestConfigs.route(List.of("a.test"), A, B),
            TestConfigs.route(List.of("b.test"), B)));

        assertSame(first.routes().get(0).pool(), second.routes().get(0).pool(), "unchanged route keeps its pool");
        assertNotSame(first.routes().get(1).pool(), second.routes().get(1).pool(), "changed backends get a new pool");
    }

    @Test
    void shouldBuildANewPoolWhenWeightsBalanceOrHealthSettingsChange()
    {
        final RouteCompiler compiler = new RouteCompiler(1);
        final RouteTable first = generation(compiler, listener(TestConfigs.route(List.of("a.test"), A, B)));
        final RouteTable weighted = generation(compiler, listener(weighted(RouteConfig.Balance.MAGLEV, 3, HealthCheckConfig.DEFAULT)));
        final RouteTable balanced = generation(compiler, listener(weighted(RouteConfig.Balance.ROUND_ROBIN, 3, HealthCheckConfig.DEFAULT)));
        final HealthCheckConfig checked = new HealthCheckConfig(HealthCheckConfig.Check.TCP, 1_000, 500, 1, 1, 0, 1_000, 1_000,
            HealthCheckConfig.AllDown.FAIL_CLOSED);
        final RouteTable healthChecked = generation(compiler, listener(weighted(RouteConfig.Balance.ROUND_ROBIN, 3, checked)));
        final RouteTable again = generation(compiler, listener(weighted(RouteConfig.Balance.ROUND_ROBIN, 3, checked)));

        assertNotSame(first.routes().get(0).pool(), weighted.routes().get(0).pool());
        assertNotSame(weighted.routes().get(0).pool(), balanced.routes().get(0).pool());
        assertNotSame(balanced.routes().get(0).pool(), healthChecked.routes().get(0).pool(),
            "a kept pool keeps its down marks, which only the same health settings publish again");
        assertSame(healthChecked.routes().get(0).pool(), again.routes().get(0).pool());
    }

    @Test
    void shouldGiveTwoRoutesOfOneIdAndBackendsAPoolEachAndForgetPoolsOfRoutesThatLeft()
    {
        final RouteCompiler compiler = new RouteCompiler(1);
        final ListenerConfig split = listener(
            TestConfigs.route(List.of("a.test"), List.of("h2"), RouteConfig.ProxyProtocolOut.NONE, A),
            TestConfigs.route(List.of("a.test"), A));
        final RouteTable first = generation(compiler, split);
        assertNotSame(route(first, "h2").pool(), route(first, null).pool());

        generation(compiler, listener(TestConfigs.route(List.of("other.test"), B)));
        final RouteTable back = generation(compiler, split);
        assertNotSame(route(first, null).pool(), route(back, null).pool(), "a pool is not kept past a generation without it");
    }

    /**
     * A file route chooses no table sizes: its pool is sized for its own backends (issue 12.7: 10,000
     * two-backend routes held 10,000 tables of 65,537 entries), unless the compiler is given other options.
     */
    @Test
    void shouldSizeEachPoolForItsBackendsUnlessOptionsAreForced()
    {
        final ListenerConfig listener = listener(TestConfigs.route(List.of("b.test"), A, B),
            weighted(RouteConfig.Balance.RING_HASH, 1, HealthCheckConfig.DEFAULT));
        final RouteTable table = generation(new RouteCompiler(1), listener);
        assertEquals(521, table.routes().get(0).pool().tableOptions().maglevTableSize());
        assertEquals(2_048, table.routes().get(1).pool().tableOptions().ringMinSize());

        final BalancerOptions fixed = BalancerOptions.defaults().withMaglevTableSize(65_537)
            .withRingSize(65_536, BalancerOptions.DEFAULT_RING_MAX_SIZE);
        final RouteTable forced = generation(new RouteCompiler(1, null, fixed), listener);
        assertEquals(65_537, forced.routes().get(0).pool().tableOptions().maglevTableSize());
        assertEquals(65_536, forced.routes().get(1).pool().tableOptions().ringMinSize());
    }

    /** The route of a.test for a ClientHello offering {@code alpn} (none when null). */
    private static Route route(final RouteTable table, final String alpn)
    {
        final ClientHelloBuilder hello = new ClientHelloBuilder().serverName("a.test");
        final byte[] bytes = (alpn == null ? hello : hello.alpn(alpn)).build();
        final FirstFlightParser parser = new FirstFlightParser();
        parser.parse(new UnsafeBuffer(bytes), 0, bytes.length);
        return table.lookup(parser.name(), 0, parser.nameLength(), parser);
    }

    private static RouteTable generation(final RouteCompiler compiler, final ListenerConfig listener)
    {
        compiler.beginGeneration();
        final RouteTable table = compiler.compile(listener);
        compiler.endGeneration();
        return table;
    }

    private static ListenerConfig listener(final RouteConfig... routes)
    {
        return TestConfigs.listener("t", routes).build();
    }

    private static RouteConfig weighted(final RouteConfig.Balance balance, final int weight, final HealthCheckConfig health)
    {
        return new RouteConfig(List.of("a.test"), List.of(),
            List.of(new BackendConfig(new HostPort("127.0.0.1", 9), weight), new BackendConfig(new HostPort("127.0.0.1", 10), 1)),
            balance, RouteConfig.HashKey.SOURCE_IP, RouteConfig.ProxyProtocolOut.NONE, 1_000, RouteConfig.DEFAULT_CONNECT_ATTEMPTS,
            List.of(), List.of(), health);
    }

    @Test
    void shouldBuildThePoolWithTheRoutesTableSizes()
    {
        final RouteCompiler compiler = new RouteCompiler(1);
        final RouteConfig base = weighted(RouteConfig.Balance.MAGLEV, 1, HealthCheckConfig.DEFAULT);
        final RouteConfig sized = base.withTables(new RouteConfig.Tables(251, 1024, 4096));
        final RouteTable plain = generation(compiler, listener(base));
        final RouteTable withSizes = generation(compiler, listener(sized));

        assertEquals(521, plain.routes().get(0).pool().tableOptions().maglevTableSize(), "no tables: the balancer's defaults for 2 backends");
        assertEquals(251, withSizes.routes().get(0).pool().options().maglevTableSize());
        assertEquals(1024, withSizes.routes().get(0).pool().options().ringMinSize());
        assertEquals(4096, withSizes.routes().get(0).pool().options().ringMaxSize());
        assertNotSame(plain.routes().get(0).pool(), withSizes.routes().get(0).pool(), "other sizes, another pool");

        final RouteConfig maxOnly = base.withTables(new RouteConfig.Tables(BalancerOptions.SCALED, BalancerOptions.SCALED, 1024));
        final BalancerOptions scaled = generation(compiler, listener(maxOnly)).routes().get(0).pool().tableOptions();
        assertEquals(521, scaled.maglevTableSize(), "a size the route left SCALED scales with the pool");
        assertEquals(1024, scaled.ringMinSize(), "the scaled ring minimum (2,048 for 2 backends) capped at the route's maximum");
        assertEquals(1024, scaled.ringMaxSize());
    }
}
