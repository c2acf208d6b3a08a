package io.gatehouse.router.config;

/**
 * Per-source-address limits of a listener (YAML {@code listeners[].limits}); 0 = no limit.
 *
 * @param maxConnectionsPerSource          open connections one source address may hold.
 * @param newConnectionsPerSecondPerSource token bucket refill rate for one source address.
 * @param burst                            the bucket's size (default: the rate, at least 1).
 */
public record SourceLimitConfig(int maxConnectionsPerSource, int newConnectionsPerSecondPerSource, int burst)
{
    public static final SourceLimitConfig NONE = new SourceLimitConfig(0, 0, 0);

    /** True when no limit applies. */
    public boolean isNone()
    {
        return maxConnectionsPerSource == 0 && newConnectionsPerSecondPerSource == 0;
    }
}
