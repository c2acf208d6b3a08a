package io.gatehouse.router.systemd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A short external command run to completion with a bound; stdout and stderr together.
 *
 * @param exitCode the status, or {@link Integer#MIN_VALUE} when it was killed for running too long.
 * @param output   stdout and stderr, interleaved.
 */
public record Command(int exitCode, String output)
{
    public static Command run(final List<String> command, final Path dir, final Map<String, String> env, final long timeoutMs)
        throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null)
        {
            builder.directory(dir.toFile());
        }
        builder.environment().putAll(env);
        final Path log = java.nio.file.Files.createTempFile("gatehouse-command", ".log");
        try
        {
            builder.redirectOutput(log.toFile());
            final Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Command(Integer.MIN_VALUE, java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Command(process.exitValue(), java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
        }
        finally
        {
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    /** Whether {@code program} is an executable in a directory of {@code PATH}. */
    public static boolean onPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program)))
            {
                return true;
            }
        }
        return false;
    }
}
