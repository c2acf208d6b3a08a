package io.gatehouse.cli;

import io.gatehouse.router.control.RouterProcess;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse run --config FILE}: the router in the foreground ({@link RouterProcess#run}: bind all
 * or nothing, serve, SIGHUP and {@code POST /reload} reload, SIGTERM/SIGINT drain and exit 0; a bad
 * config or address: one line naming it, exit 2). Logs go to stderr. A file holding {@code xds:} also
 * takes listeners from that ADS server (the xds module, loaded only then: {@link XdsModule}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the router in the foreground until SIGTERM/SIGINT (which drain, then exit 0).")
public final class RunCommand implements Callable<Integer>
{
    public static final int EXIT_CONFIG = RouterProcess.EXIT_CONFIG;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML config to serve.")
    Path config;

    @Override
    public Integer call() throws Exception
    {
        return RouterProcess.run(config, spec.commandLine().getErr(), XdsModule.factory());
    }
}
