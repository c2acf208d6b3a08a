package io.gatehouse.router.control;

import io.gatehouse.router.admin.MetricsSource;
import io.gatehouse.router.admin.SnapshotWriter;
import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Re-reads the config file, validates it whole, and hands it to the {@link ReloadTarget}. Triggers:
 * {@link #reload(String)} (what {@code POST /reload} calls), SIGHUP ({@link #installSignalHandlers}) and,
 * when {@code runtime.watch_config} is on, a change of the file ({@link #startWatching()}).
 *
 * <p>Reloads are serialised ({@code synchronized}); each one either replaces the current config or leaves
 * it serving and says why. Changes that only a restart can apply ({@code runtime.transport},
 * {@code runtime.workers}, {@code admin.address}) are applied as far as the target can and reported in the
 * outcome's message. Threads: the caller's (admin thread), the SIGHUP dispatch thread, the watch thread.
 */
public final class ConfigReloader implements ReloadAction, MetricsSource, AutoCloseable
{
    /** File-change events closer together than this make one reload. */
    public static final long WATCH_SETTLE_MS = 200;

    private final Path path;
    private final ReloadTarget target;
    private final Consumer<String> log;
    private final LongSupplier epochMillis;
    private volatile GatehouseConfig current;
    private volatile long generation = 1;
    private volatile long applied;
    private volatile long invalid;
    private volatile long failed;
    private volatile long lastSuccessEpochMs;
    private volatile Thread watchThread;
    private volatile WatchService watchService;

    /**
     * @param path        the config file every reload re-reads.
     * @param initial     the config serving now (generation 1).
     * @param target      what a new config is handed to.
     * @param log         one line per reload, success or not (e.g. {@code System.err::println}).
     * @param epochMillis wall clock, for the last-success timestamp metric.
     */
    public ConfigReloader(
        final Path path, final GatehouseConfig initial, final ReloadTarget target, final Consumer<String> log,
        final LongSupplier epochMillis)
    {
        this.path = Objects.requireNonNull(path);
        this.current = Objects.requireNonNull(initial);
        this.target = Objects.requireNonNull(target);
        this.log = Objects.requireNonNull(log);
        this.epochMillis = epochMillis;
        this.lastSuccessEpochMs = epochMillis.getAsLong();
    }

    /** The config serving now. */
    public GatehouseConfig current()
    {
        return current;
    }

    public long generation()
    {
        return generation;
    }

    @Override
    public synchronized ReloadOutcome reload(final String trigger)
    {
        final ConfigLoader.Loaded loaded;
        try
        {
            loaded = ConfigLoader.loadWithWarnings(path);
        }
        catch (final ConfigException ex)
        {
            invalid++;
            log.accept("gatehouse: reload (" + trigger + ") rejected, old config still serving: " + ex.getMessage());
            return new ReloadOutcome(ReloadOutcome.Result.INVALID, ex.getMessage(), generation);
        }
        catch (final RuntimeException ex)
        {
            invalid++;
            final String message = path + ": cannot load: " + ex;
            log.accept("gatehouse: reload (" + trigger + ") rejected, old config still serving: " + message);
            return new ReloadOutcome(ReloadOutcome.Result.INVALID, message, generation);
        }
        final GatehouseConfig next = loaded.config();
        for (final String warning : loaded.warnings())
        {
            log.accept("gatehouse: " + warning);
        }
        try
        {
            target.apply(next);
        }
        catch (final Exception ex)
        {
            failed++;
            final String message = "not applied: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage());
            log.accept("gatehouse: reload (" + trigger + ") failed, old config still serving: " + message);
            return new ReloadOutcome(ReloadOutcome.Result.FAILED, message, generation);
        }
        final String restartNote = restartOnlyChanges(current, next);
        current = next;
        generation++;
        applied++;
        lastSuccessEpochMs = epochMillis.getAsLong();
        final String message = "generation " + generation + ": " + summary(next) + restartNote;
        log.accept("gatehouse: reload (" + trigger + ") applied: " + message);
        return new ReloadOutcome(ReloadOutcome.Result.APPLIED, message, generation);
    }

    static String summary(final GatehouseConfig config)
    {
        int routes = 0;
        for (final ListenerConfig listener : config.listeners())
        {
            routes += listener.routes().size();
        }
        return config.listeners().size() + (config.listeners().size() == 1 ? " listener, " : " listeners, ") + routes
            + (routes == 1 ? " route" : " routes");
    }

    private static String restartOnlyChanges(final GatehouseConfig before, final GatehouseConfig after)
    {
        final StringBuilder out = new StringBuilder();
        if (before.runtime().transport() != after.runtime().transport())
        {
            out.append(" runtime.transport");
        }
        if (before.runtime().workers() != after.runtime().workers())
        {
            out.append(" runtime.workers");
        }
        if (!Objects.equals(before.admin(), after.admin()))
        {
            out.append(" admin.address");
        }
        return out.length() == 0 ? "" : " (changed, applied at the next restart:" + out + ")";
    }

    /**
     * SIGHUP reloads; SIGUSR1 runs {@code onUsr1} (reopen the access log). The JVM dispatches signals
     * on its own thread; a reload runs there, serialised with the others.
     *
     * @param onUsr1 what SIGUSR1 does, or {@code null} to leave SIGUSR1 alone.
     */
    @SuppressWarnings("removal")
    public void installSignalHandlers(final Runnable onUsr1)
    {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reload("SIGHUP"));
        if (onUsr1 != null)
        {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal ->
            {
                log.accept("gatehouse: SIGUSR1: reopening the access log");
                onUsr1.run();
            });
        }
    }

    /**
     * Watches the config file's directory on a daemon thread; a change to the file (written in place or
     * replaced by rename, as editors and config managers do) reloads once events have settled for
     * {@link #WATCH_SETTLE_MS}.
     */
    public synchronized void startWatching() throws IOException
    {
        if (watchThread != null)
        {
            return;
        }
        final Path absolute = path.toAbsolutePath();
        final Path dir = absolute.getParent();
        final Path fileName = absolute.getFileName();
        final WatchService service = FileSystems.getDefault().newWatchService();
        dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
        watchService = service;
        final Thread thread = new Thread(() -> watchLoop(service, fileName), "gatehouse-config-watch");
        thread.setDaemon(true);
        watchThread = thread;
        thread.start();
    }

    private void watchLoop(final WatchService service, final Path fileName)
    {
        try
        {
            while (true)
            {
                WatchKey key = service.take();
                boolean relevant = drain(key, fileName);
                while (true)
                {
                    key = service.poll(WATCH_SETTLE_MS, TimeUnit.MILLISECONDS);
                    if (key == null)
                    {
                        break;
                    }
                    relevant |= drain(key, fileName);
                }
                if (relevant && Files.exists(path))
                {
                    reload("file change");
                }
            }
        }
        catch (final InterruptedException | ClosedWatchServiceException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean drain(final WatchKey key, final Path fileName)
    {
        boolean relevant = false;
        for (final WatchEvent<?> event : key.pollEvents())
        {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || fileName.equals(event.context()))
            {
                relevant = true;
            }
        }
        key.reset();
        return relevant;
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        writer.counter("gatehouse_config_reloads_total", "Config reloads by result.")
            .sample(applied, "result", "applied")
            .sample(invalid, "result", "invalid")
            .sample(failed, "result", "failed");
        writer.gauge("gatehouse_config_generation", "The config generation serving (1 = the one started with).")
            .sample(generation);
        writer.gauge("gatehouse_config_last_reload_success_timestamp_seconds",
            "When the serving config was loaded (Unix time).").sample(lastSuccessEpochMs / 1000.0);
    }

    @Override
    public void close()
    {
        final WatchService service = watchService;
        final Thread thread = watchThread;
        if (service != null)
        {
            try
            {
                service.close();
            }
            catch (final IOException ex)
            {
                log.accept("gatehouse: closing the config watch: " + ex);
            }
        }
        if (thread != null)
        {
            thread.interrupt();
            try
            {
                thread.join(2_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
