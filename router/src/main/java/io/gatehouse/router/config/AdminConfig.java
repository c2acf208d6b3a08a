package io.gatehouse.router.config;

/**
 * The admin endpoint: {@code GET /metrics}, {@code POST /reload}. Loopback by default.
 *
 * @param address where it listens.
 */
public record AdminConfig(HostPort address)
{
}
