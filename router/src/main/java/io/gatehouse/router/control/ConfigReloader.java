package io.gatehouse.router.control;

import io.gatehouse.router.admin.ReloadAction;
import io.gatehouse.router.admin.ReloadOutcome;

import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;
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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Re-reads the config file, validates it whole, and hands it to the {@link ReloadTarget}. Triggers:
 * {@link #reload(String)} (what {@code POST /reload} calls), SIGHUP ({@link #installSignalHandlers}) and,
 * when {@code runtime.watch_config} is on, a change of the file ({@link #startWatching()}).
 *
 * <p>Reloads are serialised ({@code synchronized}); each one either replaces the current config, finds the
 * file identical to it ({@code UNCHANGED}: nothing is applied), or leaves it serving and says why. Changes
 * that only a restart can apply ({@code runtime.transport}, {@code runtime.workers}, {@code admin.address})
 * are applied as far as the target can and reported in the outcome's message when they differ from the
 * values the process started with. Threads: the caller's (admin thread), the SIGHUP dispatch thread, the
 * watch thread; none of them can be ended by a reload, whatever the file holds or the target throws.
 */
public final class ConfigReloader implements ReloadAction, ConfigSource.Sink, MetricsSource, AutoCloseable
{
    /** File-change events closer together than this make one reload. */
    public static final long WATCH_SETTLE_MS = 200;

    private final Path path;
    private final Loader loader;
    private final GatehouseConfig started;
    private final ReloadTarget target;
    private final Consumer<String> log;
    private final LongSupplier epochMillis;
    private volatile GatehouseConfig current;
    private volatile GatehouseConfig fileConfig;
    private volatile List<ListenerConfig> sourced = List.of();
    private volatile long generation = 1;
    private volatile long applied;
    private volatile long invalid;
    private volatile long failed;
    private volatile long unchanged;
    private volatile java.util.function.Consumer<GatehouseConfig> onUnchanged = config -> { };
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
        this(path, ConfigLoader::loadWithWarnings, initial, target, log, epochMillis);
    }

    /** How a reload reads the file: {@link ConfigLoader#loadWithWarnings} outside tests that inject a fault. */
    @FunctionalInterface
    interface Loader
    {
        ConfigLoader.Loaded load(Path path) throws ConfigException;
    }

    ConfigReloader(
        final Path path, final Loader loader, final GatehouseConfig initial, final ReloadTarget target,
        final Consumer<String> log, final LongSupplier epochMillis)
    {
        this.path = Objects.requireNonNull(path);
        this.loader = Objects.requireNonNull(loader);
        this.started = Objects.requireNonNull(initial);
        this.current = Objects.requireNonNull(initial);
        this.fileConfig = initial;
        this.target = Objects.requireNonNull(target);
        this.log = Objects.requireNonNull(log);
        this.epochMillis = epochMillis;
        this.lastSuccessEpochMs = epochMillis.getAsLong();
    }

    /** The config serving now. */
    /**
     * What an {@code UNCHANGED} reload still refreshes (files the config only names, such as
     * {@code admin.token_file}: an operator rotates the token and reloads the same config).
     */
    public void onUnchanged(final java.util.function.Consumer<GatehouseConfig> refresh)
    {
        this.onUnchanged = Objects.requireNonNull(refresh);
    }

    public GatehouseConfig current()
    {
        return current;
    }

    public long generation()
    {
        return generation;
    }

    /**
     * Reloads now. Never throws: whatever loading or applying throws, a {@link StackOverflowError} or an
     * {@link OutOfMemoryError} from a hostile file included, becomes an {@code INVALID} or {@code FAILED}
     * outcome, so that no trigger's thread dies of it.
     */
    @Override
    public synchronized ReloadOutcome reload(final String trigger)
    {
        final ConfigLoader.Loaded loaded;
        try
        {
            loaded = loader.load(path);
        }
        catch (final ConfigException ex)
        {
            invalid++;
            log.accept("gatehouse: reload (" + trigger + ") rejected, old config still serving: " + ex.getMessage());
            return new ReloadOutcome(ReloadOutcome.Result.INVALID, ex.getMessage(), generation);
        }
        catch (final Throwable ex)
        {
            invalid++;
            final String message = path + ": cannot load: " + ex;
            logQuietly("gatehouse: reload (" + trigger + ") rejected, old config still serving: " + message);
            return new ReloadOutcome(ReloadOutcome.Result.INVALID, message, generation);
        }
        for (final String warning : loaded.warnings())
        {
            log.accept("gatehouse: " + warning);
        }
        final GatehouseConfig next;
        try
        {
            next = compose(loaded.config(), sourced);
        }
        catch (final IllegalArgumentException ex)
        {
            invalid++;
            log.accept("gatehouse: reload (" + trigger + ") rejected, old config still serving: " + ex.getMessage());
            return new ReloadOutcome(ReloadOutcome.Result.INVALID, ex.getMessage(), generation);
        }
        final ReloadOutcome outcome = applyComposed(trigger, next);
        if (outcome.applied())
        {
            fileConfig = loaded.config();
        }
        return outcome;
    }

    /**
     * Serves {@code listeners} as the config source's whole set, beside the file's listeners (see
     * {@link ConfigSource}). Serialised with file reloads.
     */
    @Override
    public synchronized ReloadOutcome offer(final String trigger, final List<ListenerConfig> listeners)
    {
        final GatehouseConfig next;
        try
        {
            next = compose(fileConfig, listeners);
        }
        catch (final IllegalArgumentException ex)
        {
            invalid++;
            log.accept("gatehouse: " + trigger + " rejected, old config still serving: " + ex.getMessage());
            return new ReloadOutcome(ReloadOutcome.Result.INVALID, ex.getMessage(), generation);
        }
        final ReloadOutcome outcome = applyComposed(trigger, next);
        if (outcome.applied())
        {
            sourced = List.copyOf(listeners);
        }
        return outcome;
    }

    /** The file's listeners, then the source's; names and addresses unique across both. */
    static GatehouseConfig compose(final GatehouseConfig file, final List<ListenerConfig> sourced)
    {
        if (sourced.isEmpty())
        {
            return file;
        }
        final List<ListenerConfig> all = new java.util.ArrayList<>(file.listeners());
        final java.util.Set<String> names = new java.util.HashSet<>();
        final java.util.Set<io.gatehouse.router.config.HostPort> addresses = new java.util.HashSet<>();
        for (final ListenerConfig listener : file.listeners())
        {
            names.add(listener.name());
            if (listener.address().port() != 0)
            {
                addresses.add(listener.address());
            }
        }
        for (final ListenerConfig listener : sourced)
        {
            if (!names.add(listener.name()))
            {
                throw new IllegalArgumentException("listener '" + listener.name() + "' is already defined (in the file, or twice)");
            }
            if (listener.address().port() != 0 && !addresses.add(listener.address()))
            {
                throw new IllegalArgumentException("listener '" + listener.name() + "': address " + listener.address()
                    + " is already another listener's");
            }
            all.add(listener);
        }
        return file.withListeners(all);
    }

    private ReloadOutcome applyComposed(final String trigger, final GatehouseConfig next)
    {
        if (next.equals(current))
        {
            unchanged++;
            try
            {
                onUnchanged.accept(next);
            }
            catch (final Throwable ex)
            {
                logQuietly("gatehouse: reload (" + trigger + ") unchanged, but refreshing what it names failed: " + ex);
            }
            final String message = "unchanged: generation " + generation + " still serving (" + summary(next) + ")";
            log.accept("gatehouse: reload (" + trigger + ") " + message);
            return new ReloadOutcome(ReloadOutcome.Result.UNCHANGED, message, generation);
        }
        try
        {
            target.apply(next);
        }
        catch (final Throwable ex)
        {
            failed++;
            final String message = "not applied: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage());
            logQuietly("gatehouse: reload (" + trigger + ") failed, old config still serving: " + message);
            return new ReloadOutcome(ReloadOutcome.Result.FAILED, message, generation);
        }
        final String restartNote = restartOnlyChanges(started, next);
        current = next;
        generation++;
        applied++;
        lastSuccessEpochMs = epochMillis.getAsLong();
        final String message = "generation " + generation + ": " + summary(next) + restartNote;
        log.accept("gatehouse: reload (" + trigger + ") applied: " + message);
        return new ReloadOutcome(ReloadOutcome.Result.APPLIED, message, generation);
    }

    /** Logging after an {@link Error} may itself fail (no stack, no memory); the outcome is returned anyway. */
    private void logQuietly(final String line)
    {
        try
        {
            log.accept(line);
        }
        catch (final Throwable ignored)
        {
            // The outcome still reaches the caller and the counters.
        }
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

    /**
     * The keys read at start only whose new value differs from the value the process runs with (the one it
     * started with, not the last reload's: a key set back to its running value is not a change).
     */
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
        final sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> survive("SIGHUP",
            () -> reload("SIGHUP")));
        if (previous == sun.misc.SignalHandler.SIG_IGN)
        {
            log.accept("gatehouse: warning: SIGHUP was ignored when the process started (nohup?), and the JVM does not take "
                + "over an ignored signal: SIGHUP will not reload; use POST /reload or runtime.watch_config, or start "
                + "without nohup (bin/gatehouse restores SIGHUP itself)");
        }
        if (onUsr1 != null)
        {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal -> survive("SIGUSR1", () ->
            {
                log.accept("gatehouse: SIGUSR1: reopening the access log");
                onUsr1.run();
            }));
        }
    }

    /** Runs a trigger's work so that nothing it throws ends the trigger's thread. */
    private void survive(final String trigger, final Runnable work)
    {
        try
        {
            work.run();
        }
        catch (final Throwable ex)
        {
            logQuietly("gatehouse: " + trigger + ": " + ex);
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
        while (true)
        {
            try
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
            catch (final InterruptedException | ClosedWatchServiceException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final Throwable ex)
            {
                logQuietly("gatehouse: config watch: " + ex + "; still watching");
            }
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
            .sample(unchanged, "result", "unchanged")
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
