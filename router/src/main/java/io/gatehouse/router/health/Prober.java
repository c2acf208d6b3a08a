package io.gatehouse.router.health;

import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;

/** One blocking probe of one backend; runs on a probe thread. */
@FunctionalInterface
public interface Prober
{
    /** What one probe found. */
    enum Result
    {
        /** The backend passed. */
        PASSED,
        /** The backend failed: refused, timed out, or answered wrongly. */
        FAILED,
        /**
         * This host could not make the probe (no descriptor for a socket, no local address or port): it says
         * nothing about the backend, so it counts towards neither {@code rise} nor {@code fall}.
         */
        LOCAL_RESOURCE
    }

    /**
     * @param backend    where to connect.
     * @param check      {@link HealthCheckConfig.Check#TCP} or {@link HealthCheckConfig.Check#TLS}.
     * @param serverName the SNI a TLS probe sends.
     * @param timeoutMs  the whole probe's deadline.
     * @return what the probe found.
     */
    Result probe(HostPort backend, HealthCheckConfig.Check check, String serverName, long timeoutMs);
}
