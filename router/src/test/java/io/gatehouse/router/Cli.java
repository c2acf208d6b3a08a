package io.gatehouse.router;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system command (curl, openssl) with a deadline and returns its combined output. */
public final class Cli
{
    private Cli()
    {
    }

    public static boolean available(final String command)
    {
        try
        {
            final Process process = new ProcessBuilder("sh", "-c", "command -v " + command).start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        }
        catch (final IOException | InterruptedException ex)
        {
            return false;
        }
    }

    /** Output (stdout and stderr) of {@code command}, stdin empty. */
    public static String run(final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}
