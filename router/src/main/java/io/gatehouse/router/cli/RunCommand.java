package io.gatehouse.router.cli;

import io.gatehouse.router.Router;
import io.gatehouse.router.admin.AdminServer;
import io.gatehouse.router.admin.MetricsRegistry;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.control.ConfigReloader;
import io.gatehouse.router.listen.BindFailure;
import io.gatehouse.router.systemd.SystemdNotifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

        final Router router;
        try
        {
            router = Router.start(initial);
        }
        catch (final BindFailure ex)
        {
            return fail(err, "gatehouse run: " + ex.getMessage());
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            return fail(err, "gatehouse run: " + config + ": " + ex.getMessage());
        }

        final ConfigReloader reloader = new ConfigReloader(config, initial, router::reload, line ->
        {
            err.println(line);
            err.flush();
        }, System::currentTimeMillis);
        final MetricsRegistry metrics = new MetricsRegistry();
        metrics.register(router.metrics());
        metrics.register(reloader);
        AdminServer admin = null;
        if (initial.admin() != null)
        {
            try
            {
                admin = AdminServer.start(initial.admin().address(), metrics, reloader);
            }
            catch (final Exception ex)
            {
                router.close();
                reloader.close();
                return fail(err, "gatehouse run: cannot bind admin " + initial.admin().address() + ": " + ex.getMessage());
            }
        }

        final CountDownLatch stop = new CountDownLatch(1);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.countDown());
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> stop.countDown());
        reloader.installSignalHandlers(null);
        if (initial.runtime().watchConfig())
        {
            reloader.startWatching();
        }
        final SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        systemd.ready("serving " + initial.listeners().size() + " listeners");
        err.println("gatehouse: running (" + router.transport().name().toLowerCase(java.util.Locale.ROOT) + ", config "
            + config + "); SIGTERM drains");
        err.flush();

        stop.await();
        systemd.stopping();
        final long drainMs = reloader.current().runtime().drainTimeoutMs();
        err.println("gatehouse: draining (up to " + drainMs + " ms)");
        err.flush();
        final boolean clean = router.drain(Duration.ofMillis(drainMs));
        if (admin != null)
        {
            admin.close();
        }
        reloader.close();
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
