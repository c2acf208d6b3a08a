package io.gatehouse.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: argument errors, and the files a run writes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadgenCommandTest
{
    private static int execute(final String... args)
    {
        return new CommandLine(new LoadgenCommand()).execute(args);
    }

    @Test
    void shouldRefuseAMissingTargetOrUnknownModeWithExitTwo()
    {
        assertEquals(2, execute("rr", "--rate", "10"));
        assertEquals(2, execute("nonsense", "--target", "127.0.0.1:1", "--rate", "10"));
        assertEquals(2, execute("rr", "--target", "127.0.0.1:1"), "rr needs a rate");
        assertEquals(2, execute("rr", "--target", "no-port", "--rate", "10"));
        assertEquals(2, execute("rr", "--target", "127.0.0.1:1", "--rate", "10", "--duration", "soon"));
    }

    @Test
    void shouldWriteTheJsonSummaryPercentileFilesAndIntervalLog(@TempDir final Path dir) throws Exception
    {
        try (Backend echo = Backend.start(BackendSpec.of(BackendMode.ECHO, "cli-echo")))
        {
            final Path json = dir.resolve("rr.json");
            final Path hgrm = dir.resolve("rr.hgrm");
            final Path hlog = dir.resolve("rr.hlog");
            final PrintStream stdout = System.out;
            final ByteArrayOutputStream table = new ByteArrayOutputStream();
            final int status;
            System.setOut(new PrintStream(table, true, StandardCharsets.UTF_8));
            try
            {
                status = execute("rr", "--target", echo.target(), "--rate", "200", "--duration", "1500ms", "--warmup", "200ms",
                    "--connections", "2", "--threads", "1", "--expect-id", "cli-echo", "--sni", "c.example.test",
                    "--json", json.toString(), "--hgrm", hgrm.toString(), "--hlog", hlog.toString(), "--quiet");
            }
            finally
            {
                System.setOut(stdout);
            }
            assertEquals(0, status, table.toString(StandardCharsets.UTF_8));
            final String text = table.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("achieved") && text.contains("corrected") && text.contains("p99.99"), text);
            final String summary = Files.readString(json);
            for (final String key : new String[] {"\"mode\": \"rr\"", "\"rate\": 200", "\"achieved\": ", "\"count\": ", "\"errors\": {",
                "\"corrected\": {\"p50_us\": ", "\"uncorrected\": {\"p50_us\": ", "\"p99_us\": ", "\"p999_us\": ", "\"max_us\": "})
            {
                assertTrue(summary.contains(key), key + " missing from " + summary);
            }
            assertTrue(Files.readString(hgrm).contains("#[Mean"), "hgrm percentile file");
            assertTrue(Files.exists(dir.resolve("rr.uncorrected.hgrm")));
            final String log = Files.readString(hlog);
            assertTrue(log.contains("#[Histogram log format version") && log.contains("Tag=corrected") && log.contains("Tag=uncorrected"), log);
        }
    }
}
