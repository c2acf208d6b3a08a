package io.gatehouse.router.config.bench;

import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.route.RouteCompiler;
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
 *
 * <pre>
 * java -Xmx6g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp CLASSPATH \
 *   io.gatehouse.router.config.bench.ConfigValidationTiming [routes] [runs] [legacyRuns]
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

    private static void row(
        final String kind, final int backends, final String balance, final String operation, final int runs,
        final int warnings, final Callable<Integer> work) throws Exception
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
        System.out.printf("| %s | %d | %s | %s | %d | %s (%s) | %s | %s | %d |%n", kind, backends, balance, operation, runs,
            ms(median(wall)), ms(max(wall)), ms(median(thread)), ms(median(process)), warnings);
        if (sink == Long.MIN_VALUE)
        {
            System.out.println(sink);
        }
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
