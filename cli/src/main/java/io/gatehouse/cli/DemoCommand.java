package io.gatehouse.cli;

import io.gatehouse.loadgen.Backend;
import io.gatehouse.loadgen.BackendMode;
import io.gatehouse.loadgen.BackendSpec;
import io.gatehouse.loadgen.ErrorKind;
import io.gatehouse.loadgen.LatencySummary;
import io.gatehouse.loadgen.LoadMode;
import io.gatehouse.loadgen.LoadResult;
import io.gatehouse.loadgen.LoadRun;
import io.gatehouse.loadgen.LoadSettings;
import io.gatehouse.loadgen.Report;
import io.gatehouse.loadgen.SelfSignedIdentity;
import io.gatehouse.loadgen.StreamDirection;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.listen.BindFailure;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse demo}: starts three demo backends (echo {@code a1} and {@code a2} for
 * {@code a.demo.test}, TLS echo {@code b1} for {@code b.demo.test}), the router on the embedded
 * default config (its ports made ephemeral so the demo runs beside anything), a short run of each
 * load mode through it (and one rr run straight to a backend, the baseline), and prints what they
 * measured. Every run checks which backend answered. Exit 0 when every run completed transactions
 * and none reached a wrong backend; 1 otherwise; 2 when the router cannot start. Main thread only.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start demo backends and the router on the embedded config, drive load through it, print a table.",
        "The embedded config routes two names; each load mode of the bundled load generator runs in turn. Under a minute."})
public final class DemoCommand implements Callable<Integer>
{
    private static final long MS = 1_000_000L;

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "2", paramLabel = "SECONDS", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double durationS;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "SECONDS", description = "unreported warm-up first (default ${DEFAULT-VALUE})")
    double warmupS;

    private record Step(String what, String via, LoadSettings settings)
    {
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        out.println("gatehouse demo: generating a certificate for b.demo.test and starting backends a1, a2 (echo), b1 (TLS echo)");
        out.flush();
        final SelfSignedIdentity identity = SelfSignedIdentity.generate("b.demo.test");
        try (Backend a1 = Backend.start(BackendSpec.of(BackendMode.ECHO, "a1"));
            Backend a2 = Backend.start(BackendSpec.of(BackendMode.ECHO, "a2"));
            Backend b1 = Backend.start(BackendSpec.of(BackendMode.ECHO, "b1").withTls(identity)))
        {
            final String text = GatehouseConfig.embeddedDefaultText()
                .replace("127.0.0.1:8446", "127.0.0.1:0")
                .replace("127.0.0.1:9441", a1.target())
                .replace("127.0.0.1:9442", a2.target())
                .replace("127.0.0.1:9443", b1.target())
                .replace("127.0.0.1:9901", "127.0.0.1:0");
            final GatehouseConfig config;
            try
            {
                config = ConfigLoader.parse(text, Path.of("embedded:demo.yaml"));
            }
            catch (final ConfigException ex)
            {
                out.println("gatehouse demo: the embedded config does not load: " + ex.getMessage());
                return 2;
            }
            try (Router router = Router.start(config))
            {
                final String listener = config.listeners().get(0).name();
                final InetSocketAddress vip = router.boundAddress(listener);
                out.printf(Locale.ROOT, "router (%s, %d event loops) listening on %s; a.demo.test -> a1 %s, a2 %s (weight 2); b.demo.test -> b1 %s%n",
                    router.transport().name().toLowerCase(Locale.ROOT), router.workers().size(), vip, a1.target(), a2.target(), b1.target());
                out.flush();
                final List<Step> steps = steps(vip, a1);
                out.println("  warming up (JIT) for " + LatencySummary.num(warmupS) + " s, not reported ...");
                out.flush();
                final long warmupNs = (long)(warmupS * 1_000 * MS);
                new LoadRun(steps.get(0).settings().withWarmupNs(0).withDurationNs(Math.max(MS, warmupNs / 2)), null, null).run();
                new LoadRun(steps.get(3).settings().withWarmupNs(0).withDurationNs(Math.max(MS, warmupNs / 2)), null, null).run();
                final List<LoadResult> results = new ArrayList<>();
                for (final Step step : steps)
                {
                    out.println("  running " + step.settings().mode().key() + " " + step.what() + " (" + step.via() + ") ...");
                    out.flush();
                    results.add(new LoadRun(step.settings(), null, null).run());
                }
                return printTable(out, steps, results, a1, a2, b1);
            }
            catch (final BindFailure ex)
            {
                out.println("gatehouse demo: the router cannot bind: " + ex.getMessage());
                return 2;
            }
        }
    }

    private List<Step> steps(final InetSocketAddress vip, final Backend a1)
    {
        final String host = vip.getAddress().getHostAddress();
        final int port = vip.getPort();
        final long durationNs = (long)(durationS * 1_000 * MS);
        final int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        final long stepWarmupNs = Math.max(200 * MS, (long)(warmupS * 1_000 * MS) / 4);
        final List<Step> steps = new ArrayList<>();
        steps.add(new Step("a.demo.test, 1.8 KB post-quantum hello", "router",
            LoadSettings.of(LoadMode.CONNECT, host, port, 300, durationNs).withSni("a.demo.test").withHelloBytes(1_800)
                .withExpectId("a1,a2").withWarmupNs(stepWarmupNs).withThreads(threads)));
        steps.add(new Step("unknown.test -> default route a.demo.test", "router",
            LoadSettings.of(LoadMode.CONNECT, host, port, 100, durationNs).withSni("unknown.test")
                .withExpectId("a1,a2").withWarmupNs(stepWarmupNs).withThreads(threads)));
        steps.add(new Step("a.demo.test, 64 B echo, 8 connections", "direct to a1",
            LoadSettings.of(LoadMode.RR, "127.0.0.1", a1.port(), 2_000, durationNs).withSni("a.demo.test").withConnections(8)
                .withExpectId("a1").withWarmupNs(stepWarmupNs).withThreads(threads)));
        steps.add(new Step("a.demo.test, 64 B echo, 8 connections", "router",
            LoadSettings.of(LoadMode.RR, host, port, 2_000, durationNs).withSni("a.demo.test").withConnections(8)
                .withExpectId("a1,a2").withWarmupNs(stepWarmupNs).withThreads(threads)));
        steps.add(new Step("a.demo.test, both ways, 2 connections", "router",
            LoadSettings.of(LoadMode.STREAM, host, port, 0, durationNs).withSni("a.demo.test").withConnections(2)
                .withDirection(StreamDirection.BOTH).withExpectId("a1,a2").withWarmupNs(stepWarmupNs).withThreads(threads)));
        steps.add(new Step("b.demo.test, TLS 1.3 handshake passed through", "router",
            LoadSettings.of(LoadMode.TLS, host, port, 50, durationNs).withSni("b.demo.test").withExpectId("b1")
                .withWarmupNs(stepWarmupNs).withTimeoutNs(10_000 * MS).withThreads(threads)));
        return steps;
    }

    private static int printTable(final PrintWriter out, final List<Step> steps, final List<LoadResult> results,
        final Backend a1, final Backend a2, final Backend b1)
    {
        out.println();
        out.printf(Locale.ROOT, "%-8s %-44s %-13s %8s %10s %9s %9s %9s %9s %7s%n",
            "mode", "what", "via", "rate/s", "achieved", "p50", "p99", "p99.9", "max", "errors");
        int failures = 0;
        for (int i = 0; i < steps.size(); i++)
        {
            final Step step = steps.get(i);
            final LoadResult result = results.get(i);
            final LatencySummary latency = result.correctedSummary();
            final boolean stream = step.settings().mode() == LoadMode.STREAM;
            out.printf(Locale.ROOT, "%-8s %-44s %-13s %8s %10s %9s %9s %9s %9s %7d%n",
                step.settings().mode().key(), step.what(), step.via(),
                stream ? "-" : LatencySummary.num(step.settings().rate()),
                stream ? String.format(Locale.ROOT, "%.2fGbit/s", result.throughputGbitPerS()) : String.format(Locale.ROOT, "%.0f", result.achieved()),
                stream ? "-" : Report.formatUs(latency.p50Us()), stream ? "-" : Report.formatUs(latency.p99Us()),
                stream ? "-" : Report.formatUs(latency.p999Us()), stream ? "-" : Report.formatUs(latency.maxUs()),
                result.errorTotal());
            // "Completed nothing" counts every measured transaction, also those that finished after the window
            // (a TLS handshake slower than a short --duration on a loaded host): achieved counts only the window.
            final long completed = stream ? result.count() : result.corrected().getTotalCount();
            if (completed == 0 || result.error(ErrorKind.WRONG_BACKEND) > 0)
            {
                failures++;
            }
        }
        out.println();
        out.println("latency is corrected for coordinated omission (from the intended send time); connect and tls open a new");
        out.println("connection per transaction. Connections accepted: a1 " + a1.connectionsAccepted() + ", a2 " + a2.connectionsAccepted()
            + ", b1 " + b1.connectionsAccepted() + " (Maglev on the four-tuple, a2 weighted 2).");
        for (int i = 0; i < results.size(); i++)
        {
            if (results.get(i).firstError() != null)
            {
                out.println("first error in run " + (i + 1) + " (" + steps.get(i).settings().mode().key() + "): " + results.get(i).firstError());
            }
        }
        out.println(failures == 0 ? "demo: ok" : "demo: " + failures + " run(s) completed nothing or reached a wrong backend");
        out.flush();
        return failures == 0 ? 0 : 1;
    }
}
