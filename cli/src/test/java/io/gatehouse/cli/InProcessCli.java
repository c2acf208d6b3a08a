package io.gatehouse.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The whole {@code gatehouse} command tree run in this JVM, with what it prints kept for assertions. */
final class InProcessCli
{
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(final String... args)
    {
        final CommandLine cli = Gatehouse.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }
}
