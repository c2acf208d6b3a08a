package io.gatehouse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point: {@code bin/gatehouse SUBCOMMAND}. Each subcommand is its own class; see
 * ../shared/CONTRACT.md for the command line that users and scripts rely on.
 */
@Command(
    name = "gatehouse",
    mixinStandardHelpOptions = true,
    version = "gatehouse 0.1.0",
    description = "An L4 ingress router: peeks SNI / Host / :authority, picks a backend, relays bytes.",
    subcommands = {
        RunCommand.class,
        CheckCommand.class,
        DemoCommand.class,
        PeekCommand.class,
        StatCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Gatehouse implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** The full command tree; tests drive it in-process. */
    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new Gatehouse());
        cli.addSubcommand("loadgen", new io.gatehouse.loadgen.LoadgenCommand());
        return cli;
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.err);
    }
}
