package io.gatehouse.router.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The config of the fd-limit tests ({@link FdExhaustionTest}, {@link LocalResourceTest}): one HTTP listener
 * {@code vip} whose route {@code a.test} goes to one backend, with a long peek timeout so held connections
 * stay in the peek, and the admin API.
 */
final class FdLimitConfig
{
    private FdLimitConfig()
    {
    }

    /** Writes {@code dir/gatehouse.yaml}; {@code routeExtra}: more keys of the route, YAML lines or "". */
    static Path write(
        final Path dir, final String transport, final int vipPort, final int adminPort, final int backendPort,
        final String routeExtra) throws IOException
    {
        final Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, "runtime: {workers: 1, drain_timeout: 1s, transport: " + transport + "}\n"
            + "listeners:\n"
            + "  - name: vip\n"
            + "    address: 127.0.0.1:" + vipPort + "\n"
            + "    protocol: http\n"
            + "    peek_timeout: 60s\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [\"127.0.0.1:" + backendPort + "\"]\n"
            + routeExtra
            + "admin: {address: \"127.0.0.1:" + adminPort + "\"}\n");
        return config;
    }
}
