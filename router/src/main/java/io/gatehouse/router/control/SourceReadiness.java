package io.gatehouse.router.control;

import io.gatehouse.router.admin.Readiness;
import io.gatehouse.router.admin.ReloadOutcome;
import io.gatehouse.router.config.ListenerConfig;
import java.util.List;

/**
 * The way in for a router whose file holds {@code xds:} alone: its first config is the first set of
 * listeners the {@link ConfigSource} delivers, so {@code GET /ready} turns 200 only once that set
 * serves. Ready at start, such a host would be announced with nothing bound on its VIP and the
 * upstream's flows to it refused. Passes every offer on to the reloader unchanged and marks
 * {@link Readiness#ready} at the first one that serves; an invalid or failed set leaves the host not
 * ready, as a source that never answers does (the routing daemon in front then keeps it out). A file
 * with static listeners beside {@code xds:} is ready once they serve, without this: its control plane
 * may have nothing for it.
 *
 * <p>Called on the source's thread, one offer at a time (the {@link ConfigSource.Sink} contract);
 * {@link Readiness} is safe to write from it. Allocates nothing of its own (control path).
 */
public final class SourceReadiness implements ConfigSource.Sink
{
    private final ConfigSource.Sink reloader;
    private final Readiness readiness;

    /**
     * @param reloader  where the offers go (the process's {@link ConfigReloader}).
     * @param readiness marked ready at the first offer that serves; left alone after that.
     */
    public SourceReadiness(final ConfigSource.Sink reloader, final Readiness readiness)
    {
        this.reloader = reloader;
        this.readiness = readiness;
    }

    @Override
    public ReloadOutcome offer(final String trigger, final List<ListenerConfig> listeners)
    {
        final ReloadOutcome outcome = reloader.offer(trigger, listeners);
        if (outcome.serving())
        {
            readiness.ready();
        }
        return outcome;
    }
}
