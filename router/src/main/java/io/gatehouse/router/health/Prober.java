package io.gatehouse.router.health;

import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;

/** One blocking probe of one backend; runs on a probe thread. */
@FunctionalInterface
public interface Prober
{
    /**
     * @param backend    where to connect.
     * @param check      {@link HealthCheckConfig.Check#TCP} or {@link HealthCheckConfig.Check#TLS}.
     * @param serverName the SNI a TLS probe sends.
     * @param timeoutMs  the whole probe's deadline.
     * @return true when the backend passed.
     */
    boolean probe(HostPort backend, HealthCheckConfig.Check check, String serverName, long timeoutMs);
}
