package io.gatehouse.router.policy;

import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Every listener's {@link AdmissionPolicy}, kept by listener name across reloads so that per-source counts
 * and rejection counters carry over, and rendered together for {@code GET /metrics}.
 *
 * <p>The router asks {@link #policyFor(ListenerConfig)} while it builds a snapshot (control thread) and keeps
 * the returned policy in that snapshot for its event loops; after a successful reload it calls
 * {@link #retain(GatehouseConfig)} to forget listeners that are gone. Thread-safe (one monitor; control and
 * admin threads only, never an event loop).
 */
public final class AdmissionPolicies implements MetricsSource
{
    private final ConnectionLimit global;
    private final LongSupplier nanoClock;
    private final Map<String, AdmissionPolicy> byListener = new LinkedHashMap<>();

    /**
     * @param global    the process-wide connection limit every policy shares.
     * @param nanoClock monotonic nanoseconds for the per-source rate limits.
     */
    public AdmissionPolicies(final ConnectionLimit global, final LongSupplier nanoClock)
    {
        this.global = global;
        this.nanoClock = nanoClock;
    }

    /** The policy for {@code listener}: the previous one of the same name reconfigured, or a new one. */
    public synchronized AdmissionPolicy policyFor(final ListenerConfig listener)
    {
        final AdmissionPolicy previous = byListener.get(listener.name());
        final AdmissionPolicy policy = previous == null
            ? AdmissionPolicy.create(listener, global, nanoClock)
            : previous.reconfigure(listener);
        byListener.put(listener.name(), policy);
        return policy;
    }

    /** Forgets the listeners {@code config} no longer has (their connections may still release). */
    public synchronized void retain(final GatehouseConfig config)
    {
        final Set<String> names = new HashSet<>();
        for (final ListenerConfig listener : config.listeners())
        {
            names.add(listener.name());
        }
        byListener.keySet().retainAll(names);
    }

    /** The current policy of the named listener, or {@code null}. */
    public synchronized AdmissionPolicy get(final String listenerName)
    {
        return byListener.get(listenerName);
    }

    public ConnectionLimit global()
    {
        return global;
    }

    @Override
    public synchronized void writeTo(final SnapshotWriter writer)
    {
        for (final AdmissionPolicy policy : byListener.values())
        {
            policy.writeTo(writer);
        }
    }
}
