package io.gatehouse.loadgen;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse loadgen ceiling}: the load generator's own limit, measured against a backend in
 * the same process on loopback (respond for {@code connect}, echo for {@code rr} and {@code tls},
 * sink for {@code stream}). Doubles the rate from {@code --start} until the achieved rate falls
 * under 90% of the offered one, a transaction fails, or over 1% of the intended ones are left unstarted;
 * the ceiling is the last rate that passed. Main thread; prints one row per step.
 */
@Command(
    name = "ceiling",
    mixinStandardHelpOptions = true,
    description = {"Measure the load generator's own ceiling against an in-process backend on loopback.",
        "Client and backend share this host's cores: the ceiling printed is a lower bound of the generator's."})
public final class CeilingCommand implements Callable<Integer>
{
    @Option(names = "--mode", defaultValue = "rr", paramLabel = "MODE", description = "connect, rr, tls or stream (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--start", defaultValue = "1000", paramLabel = "N", description = "first rate (default ${DEFAULT-VALUE})")
    double start;

    @Option(names = "--max", defaultValue = "2000000", paramLabel = "N", description = "highest rate tried (default ${DEFAULT-VALUE})")
    double max;

    @Option(names = "--step", defaultValue = "3s", paramLabel = "TIME", description = "measured time per step (default ${DEFAULT-VALUE})")
    String step;

    @Option(names = "--threads", paramLabel = "T", description = "load event loops (default: cores)")
    Integer threads;

    @Option(names = "--backend-threads", defaultValue = "1", paramLabel = "T", description = "backend event loops (default ${DEFAULT-VALUE})")
    int backendThreads;

    @Option(names = "--connections", paramLabel = "C", description = "as for the load modes")
    Integer connections;

    @Override
    public Integer call()
    {
        final LoadMode loadMode;
        try
        {
            loadMode = LoadMode.valueOf(mode.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("gatehouse loadgen ceiling: unknown mode '" + mode + "'");
            return 2;
        }
        final BackendMode backendMode = loadMode == LoadMode.CONNECT ? BackendMode.RESPOND
            : loadMode == LoadMode.STREAM ? BackendMode.SINK : BackendMode.ECHO;
        BackendSpec spec = BackendSpec.of(backendMode, "ceiling").withThreads(backendThreads);
        if (loadMode == LoadMode.TLS)
        {
            spec = spec.withTls(SelfSignedIdentity.generate("ceiling.test"));
        }
        final PrintStream out = System.out;
        try (Backend backend = Backend.start(spec))
        {
            LoadSettings base = LoadSettings.of(loadMode, "127.0.0.1", backend.port(), start, DurationText.parseNs(step))
                .withWarmupNs(1_000_000_000L)
                .withExpectId("ceiling")
                .withSni("ceiling.test")
                .withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
            if (connections != null)
            {
                base = base.withConnections(connections);
            }
            out.printf(Locale.ROOT, "loadgen ceiling, mode %s, %d load threads, %d backend threads, %d cores%n", loadMode.key(),
                base.threads(), backendThreads, Runtime.getRuntime().availableProcessors());
            if (loadMode == LoadMode.STREAM)
            {
                final LoadResult result = new LoadRun(base, null, null).run();
                out.printf(Locale.ROOT, "stream up: %.3f Gbit/s, errors %d%n", result.throughputGbitPerS(), result.errorTotal());
                return 0;
            }
            out.printf(Locale.ROOT, "%12s %12s %10s %10s %10s %8s %s%n", "offered/s", "achieved/s", "p50", "p99", "p99.9", "errors", "");
            double passed = 0;
            for (double rate = start; rate <= max; rate *= 2)
            {
                final LoadSettings settings = base.withRate(rate);
                final LoadResult result = new LoadRun(settings, null, null).run();
                final LatencySummary latency = result.correctedSummary();
                final boolean ok = result.achieved() >= 0.9 * rate && result.errorTotal() == 0
                    && result.notStarted() <= 0.01 * rate * settings.durationNs() / 1e9;
                out.printf(Locale.ROOT, "%12.0f %12.0f %10s %10s %10s %8d %s%n", rate, result.achieved(), Report.formatUs(latency.p50Us()),
                    Report.formatUs(latency.p99Us()), Report.formatUs(latency.p999Us()), result.errorTotal(), ok ? "ok" : "saturated");
                if (!ok)
                {
                    break;
                }
                passed = rate;
            }
            out.printf(Locale.ROOT, "ceiling: %.0f/s (%s)%n", passed, loadMode.key());
            return 0;
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            System.err.println("gatehouse loadgen ceiling: " + ex.getMessage());
            return 2;
        }
    }
}
