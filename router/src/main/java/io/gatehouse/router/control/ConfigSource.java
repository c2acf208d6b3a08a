package io.gatehouse.router.control;

import io.gatehouse.router.admin.ReloadOutcome;

import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import java.util.List;

/**
 * A source of listeners beside the config file: a control plane (the {@code xds} module's ADS client).
 * It owns a set of listeners and hands each new, whole set to {@link Sink#offer}; the reloader puts them
 * beside the file's static listeners, validates the result as one config and applies it through the same
 * {@link ReloadTarget} as a SIGHUP, so reload, health, metrics, admission and the access log do not know
 * where a listener came from. A file reload keeps the source's listeners; an offer keeps the file's.
 *
 * <p>Threads: {@link #start} and {@link #close} on the main thread; the source calls {@link Sink#offer}
 * on its own thread, one call at a time; offers and file reloads are serialised by the reloader.
 */
public interface ConfigSource extends AutoCloseable
{
    /**
     * Begins delivering listeners; returns at once.
     *
     * @param sink where each new set goes.
     */
    void start(Sink sink);

    /**
     * The versions of what this source last had accepted, by kind (for xDS: {@code lds}, {@code cds},
     * {@code eds}), for {@code GET /config} beside the generation. Any thread; empty until something is.
     */
    default java.util.Map<String, String> versions()
    {
        return java.util.Map.of();
    }

    /** Stops delivering; the listeners last applied keep serving. */
    @Override
    void close();

    /** Makes the source for a config, or gives {@code null} when the config names none. */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @param config the file's config, as loaded at start.
         * @param log    operator messages, one line each.
         * @return the source, not yet started, or {@code null}.
         * @throws IllegalArgumentException when the source's settings cannot be used (the message says why).
         */
        ConfigSource create(GatehouseConfig config, java.util.function.Consumer<String> log);
    }

    /** Where a source's listeners go. */
    @FunctionalInterface
    interface Sink
    {
        /**
         * Serves {@code listeners} as this source's whole set (replacing its previous set), beside the file's.
         *
         * @param trigger   who asked, for the log (e.g. {@code "xds lds version 7"}).
         * @param listeners the source's listeners; names and addresses must not clash with the file's.
         * @return applied, or invalid/failed with the reason; when not applied the previous set keeps serving.
         */
        ReloadOutcome offer(String trigger, List<ListenerConfig> listeners);
    }
}
