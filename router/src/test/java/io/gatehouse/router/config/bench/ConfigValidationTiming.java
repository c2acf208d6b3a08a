package io.gatehouse.router.config.bench;

import io.gatehouse.balancer.BalancerOptions;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.route.RouteCompiler;
import io.gatehouse.router.route.RouteTable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * A timed benchmark program for issue 12.7 (not a test): for one listener of N routes of each kind, the
 * wall time, the calling thread's CPU time and the whole process's CPU time (GC and JIT included) of
 * {@code check} (parse, validate, warn), of a reload on a live router that changes 1% of the routes, of
 * a cold compile (what a start costs), and of the warning loop ConfigLoader had before, measured in the
 * same process as the peer. CPU times are what to compare on a shared machine: the wall time counts the
 * time other builds held the cores.
 * <p>
 * With {@code tables} as the first argument it measures instead what the balancer's tables cost (the
 * {@code exact} shape, Maglev with one and two backends per route, ring hash with two): a cold compile and
 * a compile that changes every route (each route's backends move to other ports, so no pool is kept), at
 * the default sizes and at the old fixed ones forced through {@link BalancerOptions} (Maglev 65,537, ring
 * minimum 65,536), plus the heap the compiled tables keep after a GC; and a live router's reload that
 * changes every route, at the default sizes.
 *
 * <pre>
 * java -Xmx6g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp CLASSPATH \
 *   io.gatehouse.router.config.bench.ConfigValidationTiming [routes] [runs] [legacyRuns]
 * java -Xmx6g ... io.gatehouse.router.config.bench.ConfigValidationTiming tables [routes] [runs]
 * </pre>
 */
public final class ConfigValidationTiming
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();

    private ConfigValidationTiming()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals("tables"))
        {
            final int routes = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
            tables(routes, args.length > 2 ? Integer.parseInt(args[2]) : 3, args.length > 3 ? Integer.parseInt(args[3]) : routes);
            return;
        }
        final int routes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        final int legacyRuns = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.println("| kind | backends/route | balance | operation | runs | wall ms median (max) | thread CPU ms median | process CPU ms median | warnings |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (final String kind : new String[] {"exact", "wildcard", "mixed"})
        {
            for (final int backends : new int[] {1, 2})
            {
                final String balance = "maglev";
                final String yaml = ConfigValidationBenchmark.yaml(routes, kind, balance, backends);
                final String edited = yaml.replace(":20099", ":30099");
                final int warnings = ConfigLoader.parseWithWarnings(yaml, Path.of("bench.yaml")).warnings().size();
                row(kind, backends, balance, "check", runs, warnings,
                    () -> ConfigLoader.parseWithWarnings(yaml, Path.of("bench.yaml")).warnings().size());
                final GatehouseConfig config = ConfigLoader.parse(yaml, Path.of("bench.yaml"));
                row(kind, backends, balance, "cold compile (start)", Math.min(runs, 3), warnings,
                    () -> new RouteCompiler(1).compile(config.listeners().get(0)).routes().size());
                try (Router router = Router.start(config))
                {
                    final boolean[] flip = {false};
                    row(kind, backends, balance, "reload, 1% of routes changed", runs, warnings, () ->
                    {
                        flip[0] = !flip[0];
                        final GatehouseConfig next = ConfigLoader.parseWithWarnings(flip[0] ? edited : yaml,
                            Path.of("bench.yaml")).config();
                        router.reload(next);
                        return next.listeners().get(0).routes().size();
                    });
                }
                if (!kind.equals("exact") && backends == 1)
                {
                    row(kind, backends, balance, "legacy warning loop alone (peer)", legacyRuns, warnings,
                        () -> ConfigValidationBenchmark.legacyWarnCoalescing(config.listeners().get(0).routes()));
                }
            }
        }
    }

    /** @param fixedRingRoutes routes for the old fixed ring rows: 10,000 of them hold about 10 GB. */
    private static void tables(final int routes, final int runs, final int fixedRingRoutes) throws Exception
    {
        final BalancerOptions fixed = BalancerOptions.defaults().withMaglevTableSize(BalancerOptions.DEFAULT_MAGLEV_TABLE_SIZE)
            .withRingSize(BalancerOptions.DEFAULT_RING_MIN_SIZE, BalancerOptions.DEFAULT_RING_MAX_SIZE);
        System.out.println("| routes | backends/route | balance | sizes | operation | runs | wall ms median (max) | thread CPU ms median | process CPU ms median | heap kept MB |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (final String[] shape : new String[][] {{"1", "maglev"}, {"2", "maglev"}, {"2", "ring_hash"}})
        {
            final int backends = Integer.parseInt(shape[0]);
            final String balance = shape[1];
            final String yaml = ConfigValidationBenchmark.yaml(routes, "exact", balance, backends);
            // Every backend port 20000..20099 becomes 21000..21099: every route's backends change.
            final String moved = yaml.replace(":200", ":210");
            for (final BalancerOptions options : new BalancerOptions[] {BalancerOptions.defaults(), fixed})
            {
                final String sizes = options == fixed ? "old fixed (65,537 / 65,536)" : "default (per pool)";
                final int count = options == fixed && balance.equals("ring_hash") ? Math.min(routes, fixedRingRoutes) : routes;
                final String text = ConfigValidationBenchmark.yaml(count, "exact", balance, backends);
                final GatehouseConfig config = ConfigLoader.parse(text, Path.of("bench.yaml"));
                final GatehouseConfig other = ConfigLoader.parse(text.replace(":200", ":210"), Path.of("bench.yaml"));
                final RouteTable[] kept = new RouteTable[1];
                final long heap = heapKept(() -> kept[0] = generation(new RouteCompiler(1, null, options), config));
                kept[0] = null;
                tableRow(count, backends, balance, sizes, "cold compile (start)", runs, heap,
                    () -> generation(new RouteCompiler(1, null, options), config).routes().size());
                final RouteCompiler compiler = new RouteCompiler(1, null, options);
                generation(compiler, config);
                final boolean[] flip = {false};
                tableRow(count, backends, balance, sizes, "compile changing every route", runs, heap, () ->
                {
                    flip[0] = !flip[0];
                    return generation(compiler, flip[0] ? other : config).routes().size();
                });
            }
            try (Router router = Router.start(ConfigLoader.parse(yaml, Path.of("bench.yaml"))))
            {
                final boolean[] flip = {false};
                tableRow(routes, backends, balance, "default (per pool)", "live reload changing every route", runs, -1, () ->
                {
                    flip[0] = !flip[0];
                    final GatehouseConfig next = ConfigLoader.parseWithWarnings(flip[0] ? moved : yaml,
                        Path.of("bench.yaml")).config();
                    router.reload(next);
                    return next.listeners().get(0).routes().size();
                });
            }
        }
    }

    private static RouteTable generation(final RouteCompiler compiler, final GatehouseConfig config)
    {
        compiler.beginGeneration();
        final RouteTable table = compiler.compile(config.listeners().get(0));
        compiler.endGeneration();
        return table;
    }

    /** Heap used after a GC with what {@code work} built still referenced, less the heap used before it. */
    private static long heapKept(final Runnable work)
    {
        System.gc();
        System.gc();
        final long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        work.run();
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() - before;
    }

    private static void tableRow(
        final int routes, final int backends, final String balance, final String sizes, final String operation, final int runs,
        final long heapBytes, final Callable<Integer> work) throws Exception
    {
        final long[][] times = measure(runs, work);
        System.out.printf("| %,d | %d | %s | %s | %s | %d | %s (%s) | %s | %s | %s |%n", routes, backends, balance, sizes,
            operation, runs,
            ms(median(times[0])), ms(max(times[0])), ms(median(times[1])), ms(median(times[2])),
            heapBytes < 0 ? "-" : String.format("%,.0f", heapBytes / 1e6));
    }

    private static long[][] measure(final int runs, final Callable<Integer> work) throws Exception
    {
        work.call();
        final long[] wall = new long[runs];
        final long[] thread = new long[runs];
        final long[] process = new long[runs];
        long sink = 0;
        for (int i = 0; i < runs; i++)
        {
            System.gc();
            final long t0 = System.nanoTime();
            final long c0 = THREADS.getCurrentThreadCpuTime();
            final long p0 = OS.getProcessCpuTime();
            sink += work.call();
            wall[i] = System.nanoTime() - t0;
            thread[i] = THREADS.getCurrentThreadCpuTime() - c0;
            process[i] = OS.getProcessCpuTime() - p0;
        }
        if (sink == Long.MIN_VALUE)
        {
            System.out.println(sink);
        }
        return new long[][] {wall, thread, process};
    }

    private static void row(
        final String kind, final int backends, final String balance, final String operation, final int runs,
        final int warnings, final Callable<Integer> work) throws Exception
    {
        final long[][] times = measure(runs, work);
        System.out.printf("| %s | %d | %s | %s | %d | %s (%s) | %s | %s | %d |%n", kind, backends, balance, operation, runs,
            ms(median(times[0])), ms(max(times[0])), ms(median(times[1])), ms(median(times[2])), warnings);
    }

    private static long median(final long[] values)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long max(final long[] values)
    {
        return Arrays.stream(values).max().orElse(0);
    }

    private static String ms(final long ns)
    {
        return String.format("%,.0f", ns / 1e6);
    }
}
