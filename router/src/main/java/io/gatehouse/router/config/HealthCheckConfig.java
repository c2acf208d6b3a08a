package io.gatehouse.router.config;

/**
 * How a route's backends are checked and ejected (YAML {@code routes[].health}).
 *
 * @param check              the active probe, or {@link Check#NONE}.
 * @param intervalMs         time between two probes of one backend.
 * @param timeoutMs          one probe's deadline (connect plus, for TLS, the first record back).
 * @param rise               consecutive good probes that bring a down backend up.
 * @param fall               consecutive failed probes that take an up backend down.
 * @param ejectAfterFailures consecutive connect failures on the data path that eject a backend
 *                           (passive check); 0 = never.
 * @param ejectBaseMs        the first ejection's length; each further ejection in a row doubles it.
 * @param ejectMaxMs         the longest ejection.
 * @param whenAllDown        what the route does while no backend is up.
 */
public record HealthCheckConfig(
    Check check,
    long intervalMs,
    long timeoutMs,
    int rise,
    int fall,
    int ejectAfterFailures,
    long ejectBaseMs,
    long ejectMaxMs,
    AllDown whenAllDown)
{
    public static final long DEFAULT_INTERVAL_MS = 5_000;
    public static final long DEFAULT_TIMEOUT_MS = 1_000;
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final int DEFAULT_EJECT_AFTER_FAILURES = 5;
    public static final long DEFAULT_EJECT_BASE_MS = 10_000;
    public static final long DEFAULT_EJECT_MAX_MS = 300_000;

    /** No active check; passive ejection after 5 failures; fail closed. */
    public static final HealthCheckConfig DEFAULT = new HealthCheckConfig(
        Check.NONE, DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, DEFAULT_RISE, DEFAULT_FALL,
        DEFAULT_EJECT_AFTER_FAILURES, DEFAULT_EJECT_BASE_MS, DEFAULT_EJECT_MAX_MS, AllDown.FAIL_CLOSED);

    /** The active probe. */
    public enum Check
    {
        /** No active probe; passive ejection only. */
        NONE,
        /** A TCP connect that completes within the timeout. */
        TCP,
        /** A ClientHello naming the route's first exact hostname, answered by any TLS record. */
        TLS
    }

    /** What a route does while every backend is down. */
    public enum AllDown
    {
        /** New connections are refused (closed, counted as {@code no_healthy_backend}). */
        FAIL_CLOSED,
        /** Every backend is used as if it were up: better a likely failure than a certain one. */
        FAIL_OPEN
    }
}
