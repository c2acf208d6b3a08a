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
 * @param xds       the control plane that adds listeners to the file's, or {@code null} for none.
 */
public record GatehouseConfig(Path source, List<ListenerConfig> listeners, AdminConfig admin, RuntimeConfig runtime, XdsConfig xds)
{
    public GatehouseConfig
    {
        listeners = List.copyOf(listeners);
        runtime = runtime == null ? RuntimeConfig.DEFAULT : runtime;
    }

    /** A config without a control plane. */
    public GatehouseConfig(final Path source, final List<ListenerConfig> listeners, final AdminConfig admin, final RuntimeConfig runtime)
    {
        this(source, listeners, admin, runtime, null);
    }

    /** This config with {@code replaced} as its listeners (a file's plus a control plane's). */
    public GatehouseConfig withListeners(final List<ListenerConfig> replaced)
    {
        return new GatehouseConfig(source, replaced, admin, runtime, xds);
    }

    /** The classpath resource {@link #embeddedDefault()} reads. */
    public static final String EMBEDDED_DEFAULT_RESOURCE = "/io/gatehouse/router/config/demo.yaml";

    /**
     * The config {@code bin/gatehouse demo} runs: listener {@code 127.0.0.1:8446}, routes
     * {@code a.demo.test} (backends 127.0.0.1:9441 and :9442, weight 2) and {@code b.demo.test}
     * (127.0.0.1:9443), admin on {@code 127.0.0.1:9901}. Its text: {@link #embeddedDefaultText()}.
     */
    public static GatehouseConfig embeddedDefault()
    {
        try
        {
            return ConfigLoader.parse(embeddedDefaultText(), Path.of("embedded:demo.yaml"));
        }
        catch (final ConfigException ex)
        {
            throw new IllegalStateException("the embedded demo config is invalid: " + ex.getMessage(), ex);
        }
    }

    /** The YAML text of the embedded demo config (to print, or to edit and parse). */
    public static String embeddedDefaultText()
    {
        try (java.io.InputStream in = GatehouseConfig.class.getResourceAsStream(EMBEDDED_DEFAULT_RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing resource " + EMBEDDED_DEFAULT_RESOURCE);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
