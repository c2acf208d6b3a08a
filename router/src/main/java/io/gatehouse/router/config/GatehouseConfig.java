package io.gatehouse.router.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One validated, immutable configuration: what {@code ConfigLoader} produces from a YAML file and the
 * router publishes with one volatile write. Built and read on the control thread; event loops see it
 * only through the snapshots the router derives from it.
 *
 * @param source    the file it came from, or {@code null} for an embedded config.
 * @param listeners every listener, in file order; names are unique.
 * @param admin     the admin endpoint, or {@code null} when none is configured.
 * @param runtime   process-wide settings (transport, workers, drain, access log, limits).
 */
public record GatehouseConfig(Path source, List<ListenerConfig> listeners, AdminConfig admin, RuntimeConfig runtime)
{
    public GatehouseConfig
    {
        listeners = List.copyOf(listeners);
    }
}
