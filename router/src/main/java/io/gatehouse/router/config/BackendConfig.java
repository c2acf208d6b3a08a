package io.gatehouse.router.config;

/**
 * One backend of a route.
 *
 * @param address where to connect.
 * @param weight  relative share, 1..1000 (default 1).
 */
public record BackendConfig(HostPort address, int weight)
{
}
