package io.gatehouse.router.control;

import io.gatehouse.router.Router;
import io.gatehouse.router.admin.Readiness;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.listen.BindFailure;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.systemd.InheritedSockets;
import io.gatehouse.router.systemd.SystemdNotifier;
import io.gatehouse.router.systemd.SystemdWatchdog;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * address, {@link #EXIT_CONFIG}, nothing left bound. SIGHUP and {@code POST /reload} reload. SIGTERM
 * and SIGINT leave in this order: {@code /ready} answers 503 (the VIP is withdrawn by whatever follows
 * it), the listeners keep accepting for {@code runtime.drain_settle} while the upstream converges, then
 * the drain (stop accepting, let connections finish for {@code runtime.drain_timeout}, close the rest)
 * and {@link #run} returns 0. On the way in {@code /ready} turns 200 once every listener is bound and
 * the first config serves: for a file with {@code xds:} alone, once the source's first listeners do
 * ({@link SourceReadiness}). Called on the main thread; allocates freely (control path).
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
        return run(config, err, null);
    }

    /**
     * As {@link #run(Path, PrintWriter)}, with listeners also from a {@link ConfigSource} (the cli wires
     * the xDS client in here when the file holds {@code xds:}; the router does not know xDS).
     *
     * @param sources makes the source for the loaded config, or {@code null} (or a factory giving
     *                {@code null}) for the file alone.
     */
    public static int run(final Path config, final PrintWriter err, final ConfigSource.Factory sources)
        throws InterruptedException
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
        final ConfigSource source;
        try
        {
            source = sources == null ? null : sources.create(initial, line ->
            {
                err.println(line);
                err.flush();
            });
        }
        catch (final IllegalArgumentException ex)
        {
            return fail(err, "gatehouse run: " + config + ": " + ex.getMessage());
        }
        if (initial.xds() != null && source == null)
        {
            return fail(err, "gatehouse run: " + config + ": 'xds:' needs the xds client, which this entry point does not "
                + "carry (use gatehouse run)");
        }

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
        final CountDownLatch hurry = new CountDownLatch(1);
        final sun.misc.SignalHandler onStop = signal ->
        {
            if (stop.getCount() > 0)
            {
                stop.countDown();
            }
            else
            {
                hurry.countDown();
            }
        };
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), onStop);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), onStop);
        if (source != null)
        {
            if (source instanceof io.gatehouse.router.metrics.MetricsSource metricsSource)
            {
                control.metrics().register(metricsSource);
            }
            control.xdsVersions(source::versions);
        }
        if (source != null && initial.listeners().isEmpty())
        {
            err.println("gatehouse: not ready until the config source's first listeners serve (/ready 503 meanwhile)");
            err.flush();
            source.start(new SourceReadiness(control.reloader(), control.readiness()));
        }
        else
        {
            if (source != null)
            {
                source.start(control.reloader());
            }
            control.readiness().ready();
        }
        systemd.ready("serving " + initial.listeners().size() + " listeners");
        final SystemdWatchdog watchdog = SystemdWatchdog.startIfEnabled(systemd, router.workers().stream().map(Worker::loop).toList());
        err.println("gatehouse: running (" + router.transport().name().toLowerCase(Locale.ROOT) + ", config "
            + config + "); SIGTERM drains");
        err.flush();

        stop.await();
        final GatehouseConfig last = control.reloader().current();
        settle(last, control.readiness(), systemd, hurry, err);
        if (source != null)
        {
            source.close();
        }
        final long drainMs = last.runtime().drainTimeoutMs();
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

    /**
     * The first step out: {@code /ready} answers 503 at once, so the routing daemon that follows it
     * withdraws the VIP, while every listener keeps accepting for {@code runtime.drain_settle}, so the
     * flows the upstream still sends meanwhile are served rather than refused. Only then does the drain
     * close the listeners. Without an admin endpoint nothing can read {@code /ready}, and there is no
     * settle. A second SIGTERM or SIGINT ends the settle early.
     */
    private static void settle(
        final GatehouseConfig config,
        final Readiness readiness,
        final SystemdNotifier systemd,
        final CountDownLatch hurry,
        final PrintWriter err) throws InterruptedException
    {
        readiness.draining();
        systemd.stopping();
        final long settleMs = config.admin() == null ? 0 : config.runtime().drainSettleMs();
        if (settleMs <= 0)
        {
            return;
        }
        err.println("gatehouse: withdrawing (/ready 503; listeners accept for " + settleMs
            + " ms more, then the drain; a second SIGTERM skips the wait)");
        err.flush();
        if (hurry.await(settleMs, TimeUnit.MILLISECONDS))
        {
            err.println("gatehouse: settle cut short by a second signal");
            err.flush();
        }
    }

    private static int fail(final PrintWriter err, final String line)
    {
        err.println(line);
        err.flush();
        return EXIT_CONFIG;
    }
}
