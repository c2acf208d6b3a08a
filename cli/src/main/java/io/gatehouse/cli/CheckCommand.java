package io.gatehouse.cli;

import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse check --config FILE}: validates a config without binding anything. Exit 0 with a
 * one-line summary on stdout (warnings, if any, on stderr), or 2 with the one-line
 * {@code FILE:LINE:COLUMN: what is wrong} on stderr.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Validate a config file without binding anything: exit 0 with a summary, or 2 with FILE:LINE:COLUMN: error.")
public final class CheckCommand implements Callable<Integer>
{
    public static final int EXIT_INVALID = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML config to check.")
    Path config;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final ConfigLoader.Loaded loaded;
        try
        {
            loaded = ConfigLoader.loadWithWarnings(config);
        }
        catch (final ConfigException ex)
        {
            err.println(ex.getMessage());
            err.flush();
            return EXIT_INVALID;
        }
        for (final String warning : loaded.warnings())
        {
            err.println(warning);
        }
        err.flush();
        out.println(summary(loaded.config(), loaded.warnings().size()));
        out.flush();
        return 0;
    }

    /** {@code FILE: ok: 2 listeners, 3 routes, 5 backends, admin 127.0.0.1:9901, 0 warnings}. */
    static String summary(final GatehouseConfig config, final int warnings)
    {
        int routes = 0;
        int backends = 0;
        for (final ListenerConfig listener : config.listeners())
        {
            routes += listener.routes().size();
            for (final RouteConfig route : listener.routes())
            {
                backends += route.backends().size();
            }
        }
        return config.source() + ": ok: " + config.listeners().size() + (config.listeners().size() == 1 ? " listener, " : " listeners, ")
            + routes + (routes == 1 ? " route, " : " routes, ") + backends + (backends == 1 ? " backend, " : " backends, ")
            + (config.admin() == null ? "no admin" : "admin " + config.admin().address()) + ", "
            + warnings + (warnings == 1 ? " warning" : " warnings");
    }
}
