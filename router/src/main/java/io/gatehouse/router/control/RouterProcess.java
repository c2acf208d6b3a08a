package io.gatehouse.router.control;

import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.listen.BindFailure;
import io.gatehouse.router.listen.Worker;
import io.gatehouse.router.systemd.InheritedSockets;
import io.gatehouse.router.systemd.SystemdNotifier;
import io.gatehouse.router.systemd.SystemdWatchdog;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The router as a foreground process, from a config file to exit: load and validate the config, bind
 * every listener (all or none) and the admin endpoint, serve until SIGTERM/SIGINT, drain, exit.
 *
 * <p>This is what {@code gatehouse run} does (the {@code cli} module's {@code RunCommand} is a thin
 * wrapper over {@link #run}); it lives in the router so that the product's own process lifetime, and
 * the tests that start it as a child process ({@link #main}), do not depend on the command line module.
 *
 * <p>A bad config or an unbindable address: one line on {@code err} naming the file:line:column or the
 * address, {@link #EXIT_CONFIG}, nothing left bound. SIGHUP and {@code POST /reload} reload; SIGTERM
 * and SIGINT drain (stop accepting, let connections finish for {@code runtime.drain_timeout}, close
 * the rest) and {@link #run} returns 0. Called on the main thread; allocates freely (control path).
 */
public final class RouterProcess
{
    /** Exit status for a config that does not load or an address that cannot be bound. */
    public static final int EXIT_CONFIG = 2;

    private RouterProcess()
    {
    }

    /**
     * {@code java -cp ... io.gatehouse.router.control.RouterProcess --config FILE}: the same as
     * {@code gatehouse run --config FILE}, for tests and for hosts that start the JVM themselves.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        if (args.length != 2 || !("--config".equals(args[0]) || "-c".equals(args[0])))
        {
            err.println("usage: RouterProcess --config FILE");
            System.exit(EXIT_CONFIG);
        }
        System.exit(run(Path.of(args[1]), err));
    }

    /**
     * Serves {@code config} in the foreground until SIGTERM or SIGINT.
     *
     * @return 0 after a drain, {@link #EXIT_CONFIG} when the config or an address is refused.
     */
    public static int run(final Path config, final PrintWriter err) throws InterruptedException
    {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
        {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
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
        control.backends(router::setBackend);
        control.metrics().register(new io.gatehouse.router.admin.BuildInfo(router.transport().name().toLowerCase(Locale.ROOT)));

        final CountDownLatch stop = new CountDownLatch(1);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.countDown());
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> stop.countDown());
        control.readiness().ready();
        systemd.ready("serving " + initial.listeners().size() + " listeners");
        final SystemdWatchdog watchdog = SystemdWatchdog.startIfEnabled(systemd, router.workers().stream().map(Worker::loop).toList());
        err.println("gatehouse: running (" + router.transport().name().toLowerCase(Locale.ROOT) + ", config "
            + config + "); SIGTERM drains");
        err.flush();

        stop.await();
        control.readiness().draining();
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
