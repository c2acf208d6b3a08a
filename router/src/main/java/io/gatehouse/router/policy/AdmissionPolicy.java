package io.gatehouse.router.policy;

import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One listener's admission: called at accept, before peeking and before any backend is dialed, then once
 * the route is known; every refusal is counted by reason.
 *
 * <pre>{@code
 * RejectReason r = policy.admit(remote);          // at accept
 * if (r != RejectReason.NONE) { close; return; }  // already counted
 * ... peek, route ...
 * r = policy.admitRoute(routeIndex, remote);      // after routing, before connect
 * ...
 * policy.release(remote);                         // at close, exactly once per admitted connection
 * }</pre>
 *
 * <p>Threads: {@link #admit}, {@link #admitRoute}, {@link #release} and {@link #count} from any event loop;
 * {@link #reconfigure} and {@link #writeTo} from the control/admin threads. A policy is immutable except for
 * its limiter and counters, which {@link #reconfigure} carries over to the policy it returns, so per-source
 * counts and rejection totals survive a reload. A connection must be released on the policy that admitted
 * it (or any policy reconfigured from it: they share the limiter). Allocation: see the package note.
 */
public final class AdmissionPolicy implements MetricsSource
{
    private static final RejectReason[] REASONS = RejectReason.values();

    private final String listener;
    private final SourceFilter filter;
    private final SourceFilter[] routeFilters;
    private final SourceLimiter limiter;
    private final ConnectionLimit global;
    private final LongAdder[] rejected;

    private AdmissionPolicy(
        final String listener, final SourceFilter filter, final SourceFilter[] routeFilters, final SourceLimiter limiter,
        final ConnectionLimit global, final LongAdder[] rejected)
    {
        this.listener = listener;
        this.filter = filter;
        this.routeFilters = routeFilters;
        this.limiter = limiter;
        this.global = global;
        this.rejected = rejected;
    }

    /**
     * @param config    the listener (its allow/deny, limits, and its routes' allow/deny in file order).
     * @param global    the process-wide limit, shared by every listener.
     * @param nanoClock monotonic nanoseconds for the rate limit.
     */
    public static AdmissionPolicy create(final ListenerConfig config, final ConnectionLimit global, final LongSupplier nanoClock)
    {
        final LongAdder[] rejected = new LongAdder[REASONS.length];
        for (int i = 0; i < rejected.length; i++)
        {
            rejected[i] = new LongAdder();
        }
        final SourceLimiter limiter = new SourceLimiter(config.limits(), SourceLimiter.DEFAULT_MAX_SOURCES, nanoClock);
        return new AdmissionPolicy(config.name(), SourceFilter.of(config.allow(), config.deny()), routeFilters(config), limiter,
            global, rejected);
    }

    /** The policy for the reloaded {@code config} of the same listener, keeping limiter state and counters. */
    public AdmissionPolicy reconfigure(final ListenerConfig config)
    {
        limiter.reconfigure(config.limits());
        return new AdmissionPolicy(config.name(), SourceFilter.of(config.allow(), config.deny()), routeFilters(config), limiter,
            global, rejected);
    }

    private static SourceFilter[] routeFilters(final ListenerConfig config)
    {
        final SourceFilter[] filters = new SourceFilter[config.routes().size()];
        for (int i = 0; i < filters.length; i++)
        {
            final RouteConfig route = config.routes().get(i);
            filters[i] = SourceFilter.of(route.allow(), route.deny());
        }
        return filters;
    }

    /**
     * At accept: the listener's allow/deny, the global limit, the per-source limits, in that order.
     *
     * @return {@link RejectReason#NONE} when admitted (then {@link #release} is owed at close), or the counted
     * reason.
     */
    public RejectReason admit(final InetAddress source)
    {
        RejectReason reason = filter.check(source);
        if (reason != RejectReason.NONE)
        {
            return count(reason);
        }
        if (!global.tryAcquire())
        {
            return count(RejectReason.CONNECTION_LIMIT);
        }
        reason = limiter.acquire(source);
        if (reason != RejectReason.NONE)
        {
            global.release();
            return count(reason);
        }
        return RejectReason.NONE;
    }

    /**
     * After routing, before connecting: the route's own allow/deny ({@code routeIndex} in the listener's file
     * order). A refusal is counted as {@link RejectReason#ROUTE_DENIED}; the connection still owes its
     * {@link #release}.
     */
    public RejectReason admitRoute(final int routeIndex, final InetAddress source)
    {
        final SourceFilter routeFilter = routeFilters[routeIndex];
        if (routeFilter.isOpen() || routeFilter.check(source) == RejectReason.NONE)
        {
            return RejectReason.NONE;
        }
        return count(RejectReason.ROUTE_DENIED);
    }

    /** At close of a connection {@link #admit} let in. */
    public void release(final InetAddress source)
    {
        limiter.release(source);
        global.release();
    }

    /** Counts a refusal decided elsewhere (e.g. {@link RejectReason#NO_HEALTHY_BACKEND}); returns it. */
    public RejectReason count(final RejectReason reason)
    {
        rejected[reason.ordinal()].increment();
        return reason;
    }

    /** Refusals counted for {@code reason}. */
    public long rejected(final RejectReason reason)
    {
        return rejected[reason.ordinal()].sum();
    }

    public SourceLimiter limiter()
    {
        return limiter;
    }

    public String listener()
    {
        return listener;
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        final SnapshotWriter.Family family = writer.counter("gatehouse_connections_rejected_total",
            "Connections refused before any backend was dialed, by reason.");
        for (final RejectReason reason : REASONS)
        {
            if (reason != RejectReason.NONE)
            {
                family.sample(rejected[reason.ordinal()].sum(), "listener", listener, "reason", reason.label());
            }
        }
        writer.gauge("gatehouse_policy_tracked_sources", "Source addresses the per-source limiter tracks.")
            .sample(limiter.trackedSources(), "listener", listener);
    }
}
