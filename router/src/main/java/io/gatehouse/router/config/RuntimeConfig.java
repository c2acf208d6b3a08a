package io.gatehouse.router.config;

/**
 * Process-wide settings.
 *
 * @param transport      which Netty transport the event loops use.
 * @param workers        event loops (and listening sockets per listener); 0 = one per core.
 * @param drainTimeoutMs how long SIGTERM lets open connections finish.
 * @param idleTimeoutMs  a relayed connection with no bytes either way for this long is closed.
 * @param accessLog      a path, {@code "-"} for stderr, or {@code null} for none.
 */
public record RuntimeConfig(Transport transport, int workers, long drainTimeoutMs, long idleTimeoutMs, String accessLog)
{
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 300_000;

    /** Netty transport. AUTO: io_uring if available, else epoll, else NIO. */
    public enum Transport
    {
        AUTO, IO_URING, EPOLL, NIO
    }
}
