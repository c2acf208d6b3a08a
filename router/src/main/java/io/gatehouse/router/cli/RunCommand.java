package io.gatehouse.router.cli;

import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.control.ControlPlane;
import io.gatehouse.router.listen.BindFailure;
import io.gatehouse.router.listen.Worker;
import io.gatehouse.router.systemd.InheritedSockets;
import io.gatehouse.router.systemd.SystemdNotifier;
import io.gatehouse.router.systemd.SystemdWatchdog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse run --config FILE}: loads and validates the config, binds every listener (all or none)
 * and the admin endpoint, then serves in the foreground. A bad config or an unbindable address: one line
 * on stderr naming the file:line:column or the address, exit 2, nothing left bound. SIGHUP and
 * {@code POST /reload} reload; SIGTERM and SIGINT drain (stop accepting, let connections finish for
 * {@code runtime.drain_timeout}, close the rest) and exit 0. Logs go to stderr.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the router in the foreground until SIGTERM/SIGINT (which drain, then exit 0).")
public final class RunCommand implements Callable<Integer>
{
    public static final int EXIT_CONFIG = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML config to serve.")
    Path config;

    @Override
    public Integer call() throws Exception
    {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
        {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
        final PrintWriter err = spec.commandLine().getErr();
        final ConfigLoader.Loaded loaded;
        try
        {
            loaded = ConfigLoader.loadWithWarnings(config);
        }
        catch (final ConfigException ex)
        {
            return fail(err, ex.getMessage());
        }
        for (final String warning : loaded.warnings())
        {
            err.println(warning);
        }
        err.flush();
        final GatehouseConfig initial = loaded.config();

        final AtomicReference<Router> serving = new AtomicReference<>();
        final SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        final ControlPlane control;
        try
        {
            control = ControlPlane.start(config, initial, next ->
            {
                systemd.reloading();
                try
                {
                    serving.get().reload(next);
                }
                finally
                {
                    systemd.ready();
                }
            }, line ->
            {
                err.println(line);
                err.flush();
            }, true);
        }
        catch (final Exception ex)
        {
            return fail(err, "gatehouse run: " + ex.getMessage());
        }
        final Router router;
        try
        {
            router = Router.start(
                initial, SystemNanoClock.INSTANCE, InheritedSockets.fromEnvironment(), control.health(), control.connectionLimit());
        }
        catch (final BindFailure ex)
        {
            control.close();
            return fail(err, "gatehouse run: " + ex.getMessage());
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            control.close();
            return fail(err, "gatehouse run: " + config + ": " + ex.getMessage());
        }
        serving.set(router);
        router.accessLog(control::accessLog);
        control.metrics().register(router.metrics());

        final CountDownLatch stop = new CountDownLatch(1);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.countDown());
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> stop.countDown());
        systemd.ready("serving " + initial.listeners().size() + " listeners");
        final SystemdWatchdog watchdog = SystemdWatchdog.startIfEnabled(systemd, router.workers().stream().map(Worker::loop).toList());
        err.println("gatehouse: running (" + router.transport().name().toLowerCase(java.util.Locale.ROOT) + ", config "
            + config + "); SIGTERM drains");
        err.flush();

        stop.await();
        systemd.stopping();
        final long drainMs = control.reloader().current().runtime().drainTimeoutMs();
        err.println("gatehouse: draining (up to " + drainMs + " ms)");
        err.flush();
        final boolean clean = router.drain(Duration.ofMillis(drainMs));
        if (watchdog != null)
        {
            watchdog.close();
        }
        control.close();
        router.close();
        systemd.close();
        err.println("gatehouse: stopped" + (clean ? "" : " (drain timeout: remaining connections closed)"));
        err.flush();
        return 0;
    }

    private static int fail(final PrintWriter err, final String line)
    {
        err.println(line);
        err.flush();
        return EXIT_CONFIG;
    }
}
