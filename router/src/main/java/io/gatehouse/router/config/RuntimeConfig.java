package io.gatehouse.router.config;

import io.gatehouse.router.loop.Transport;

/**
 * Process-wide settings.
 *
 * @param transport      which Netty transport the event loops use.
 * @param workers        event loops (and listening sockets per listener); 0 = one per core.
 * @param drainTimeoutMs how long SIGTERM lets open connections finish.
 * @param idleTimeoutMs  a relayed connection with no bytes either way for this long is closed.
 * @param accessLog      a path, {@code "-"} for stderr, or {@code null} for none.
 * @param maxConnections open client connections in the whole process; 0 = no limit.
 * @param watchConfig    whether a change of the config file triggers a reload (as SIGHUP does).
 * @param drainSettleMs  on SIGTERM, how long {@code /ready} answers 503 while the listeners still accept,
 *                       before the drain starts: time for a routing daemon to withdraw the VIP and for
 *                       the upstream to stop sending new flows. Applies only with an admin endpoint.
 * @param removedRouteDrainMs how long connections whose route or backend a reload removed may go on before
 *                       they are closed (0: at once).
 */
public record RuntimeConfig(
    Transport transport,
    int workers,
    long drainTimeoutMs,
    long idleTimeoutMs,
    String accessLog,
    int maxConnections,
    boolean watchConfig,
    long drainSettleMs,
    long removedRouteDrainMs)
{
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 300_000;
    public static final long DEFAULT_DRAIN_SETTLE_MS = 5_000;
    /** As Envoy drains the filter chains a listener update removed. */
    public static final long DEFAULT_REMOVED_ROUTE_DRAIN_MS = 30_000;

    /** Everything at its default. */
    public static final RuntimeConfig DEFAULT = new RuntimeConfig(
        Transport.AUTO, 0, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, null, 0, false, DEFAULT_DRAIN_SETTLE_MS,
        DEFAULT_REMOVED_ROUTE_DRAIN_MS);

    /** With the default removed-route drain. */
    public RuntimeConfig(
        final Transport transport,
        final int workers,
        final long drainTimeoutMs,
        final long idleTimeoutMs,
        final String accessLog,
        final int maxConnections,
        final boolean watchConfig,
        final long drainSettleMs)
    {
        this(transport, workers, drainTimeoutMs, idleTimeoutMs, accessLog, maxConnections, watchConfig, drainSettleMs,
            DEFAULT_REMOVED_ROUTE_DRAIN_MS);
    }

    /** With the default settle time before a drain and the default removed-route drain. */
    public RuntimeConfig(
        final Transport transport,
        final int workers,
        final long drainTimeoutMs,
        final long idleTimeoutMs,
        final String accessLog,
        final int maxConnections,
        final boolean watchConfig)
    {
        this(transport, workers, drainTimeoutMs, idleTimeoutMs, accessLog, maxConnections, watchConfig, DEFAULT_DRAIN_SETTLE_MS);
    }

    /** Without a global connection limit or file watch. */
    public RuntimeConfig(
        final Transport transport,
        final int workers,
        final long drainTimeoutMs,
        final long idleTimeoutMs,
        final String accessLog)
    {
        this(transport, workers, drainTimeoutMs, idleTimeoutMs, accessLog, 0, false, DEFAULT_DRAIN_SETTLE_MS);
    }

    /** Netty transport. AUTO: epoll if available, else io_uring, else NIO. */
    public enum Transport
    {
        AUTO, IO_URING, EPOLL, NIO
    }
}
