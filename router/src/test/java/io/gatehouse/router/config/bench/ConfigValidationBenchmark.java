package io.gatehouse.router.config.bench;

import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.Hostname;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.route.RouteCompiler;
import io.gatehouse.router.route.RouteTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What {@code check} and a reload cost for one listener of N routes (issue 12.7): {@code check} is
 * {@link ConfigLoader#parseWithWarnings} of the YAML text (read, validate, route warnings); {@code reload}
 * is that plus {@link Router#reload} on a live router, alternating between two texts that differ in the
 * backends of 1% of the routes (as an edit does); {@code coldCompile} compiles every route of the
 * parsed config with a fresh {@link RouteCompiler} (what a start costs: no pool to keep).
 * {@code legacyCoalescing} is the warning loop ConfigLoader had before (every wildcard against every
 * route, one-label covering), run on the same parsed routes: the peer measured in the same run.
 *
 * <p>Route kinds: {@code exact} (names {@code rN.w.test}), {@code wildcard} ({@code *.wN.test} and a
 * name under each, in different pools: the shape that was quadratic), {@code mixed} (exact, wildcard,
 * ALPN-conditioned and multi-label names, a quarter each). Backends: one or two per route (one of 100
 * ports each), {@code balance} as written (the default Maglev, 65,537 entries per route with two
 * backends, one slot with one; or round robin).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConfigValidationBenchmark
{
    @Param({"10000"})
    public int routes;

    @Param({"exact", "wildcard", "mixed"})
    public String kind;

    @Param({"round_robin", "maglev"})
    public String balance;

    @Param({"1", "2"})
    public int backends;

    private String yaml;
    private String edited;
    private boolean flip;
    private GatehouseConfig config;
    private Router router;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        yaml = yaml(routes, kind, balance, backends);
        edited = yaml.replace(":20099", ":30099");
        config = ConfigLoader.parse(yaml, Path.of("bench.yaml"));
        router = Router.start(ConfigLoader.parse(yaml(1, "exact", balance, backends), Path.of("bench.yaml")));
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        router.close();
    }

    @Benchmark
    public int check() throws ConfigException
    {
        return ConfigLoader.parseWithWarnings(yaml, Path.of("bench.yaml")).warnings().size();
    }

    @Benchmark
    public GatehouseConfig reload() throws Exception
    {
        flip = !flip;
        final GatehouseConfig next = ConfigLoader.parseWithWarnings(flip ? edited : yaml, Path.of("bench.yaml")).config();
        router.reload(next);
        return next;
    }

    @Benchmark
    public RouteTable coldCompile()
    {
        return new RouteCompiler(1).compile(config.listeners().get(0));
    }

    @Benchmark
    public int legacyCoalescing()
    {
        return legacyWarnCoalescing(config.listeners().get(0).routes());
    }

    /** One listener on 127.0.0.1:0 with {@code count} routes of {@code kind}. */
    public static String yaml(final int count, final String kind, final String balance, final int backendsPerRoute)
    {
        final StringBuilder out = new StringBuilder("listeners:\n  - name: bench\n    address: 127.0.0.1:0\n    routes:\n");
        for (int i = 0; i < count; i++)
        {
            final int port = 20_000 + (i % 100);
            final String backend = "127.0.0.1:" + port + (backendsPerRoute > 1 ? ", 127.0.0.2:" + port : "");
            final String route;
            switch (kind)
            {
                case "exact" -> route = "{hostnames: [r" + i + ".w.test], backends: [" + backend + "]";
                case "wildcard" -> route = (i & 1) == 0
                    ? "{hostnames: [\"*.w" + (i / 2) + ".test\"], backends: [" + backend + "]"
                    : "{hostnames: [x.w" + (i / 2) + ".test], backends: [" + backend + "]";
                default -> route = switch (i & 3)
                {
                    case 0 -> "{hostnames: [r" + i + ".w.test], backends: [" + backend + "]";
                    case 1 -> "{hostnames: [\"*.w" + i + ".test\"], backends: [" + backend + "]";
                    case 2 -> "{hostnames: [s" + i + ".w" + (i - 1) + ".test], alpn: [h2], backends: [" + backend + "]";
                    default -> "{hostnames: [a.b.c" + i + ".w" + (i - 2) + ".test], backends: [" + backend + "]";
                };
            }
            out.append("      - ").append(route).append(", balance: ").append(balance).append("}\n");
        }
        return out.toString();
    }

    /** The check ConfigLoader ran before issue 12.7 (warnCoalescing + samePool), as it was. */
    static int legacyWarnCoalescing(final List<RouteConfig> routes)
    {
        int warnings = 0;
        for (int r = 0; r < routes.size(); r++)
        {
            final RouteConfig wildRoute = routes.get(r);
            for (int h = 0; h < wildRoute.hostnames().size(); h++)
            {
                final String wildcard = wildRoute.hostnames().get(h);
                if (!Hostname.isWildcard(wildcard))
                {
                    continue;
                }
                for (int o = 0; o < routes.size(); o++)
                {
                    final RouteConfig other = routes.get(o);
                    if (o == r || samePool(wildRoute, other))
                    {
                        continue;
                    }
                    for (int k = 0; k < other.hostnames().size(); k++)
                    {
                        final String name = other.hostnames().get(k);
                        if (oneLabelCovers(wildcard, name))
                        {
                            final List<String> text = new ArrayList<>();
                            text.add("'" + name + "' and '" + wildcard + "' go to different backends");
                            warnings += text.size();
                        }
                    }
                }
            }
        }
        return warnings;
    }

    private static boolean samePool(final RouteConfig a, final RouteConfig b)
    {
        final Set<HostPort> left = new HashSet<>();
        a.backends().forEach(backend -> left.add(backend.address()));
        final Set<HostPort> right = new HashSet<>();
        b.backends().forEach(backend -> right.add(backend.address()));
        return left.equals(right);
    }

    private static boolean oneLabelCovers(final String wildcard, final String name)
    {
        final String suffix = wildcard.substring(1);
        return !Hostname.isWildcard(name) && name.endsWith(suffix) && name.length() > suffix.length()
            && name.lastIndexOf('.', name.length() - suffix.length() - 1) < 0;
    }
}
