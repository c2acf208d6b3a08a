package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CheckCommandTest
{
    private final InProcessCli cli = new InProcessCli();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(final String... args)
    {
        return cli.run(args);
    }

    @Test
    void shouldAcceptTheSampleConfigShippedWithTheSystemdUnit()
    {
        final Path sample = Path.of("..", "systemd", "gatehouse.yaml").toAbsolutePath().normalize();
        assertEquals(0, run("check", "--config", sample.toString()), err.toString());
        assertTrue(out.toString().contains("ok: 2 listeners"), out.toString());
        assertEquals("", err.toString(), "no warnings");
    }

    @Test
    void shouldExitZeroWithASummaryForAValidConfig(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
            listeners:
              - address: 127.0.0.1:8446
                routes:
                  - hostnames: [a.example.test, "*.a.example.test"]
                    backends: [127.0.0.1:9443]
                  - hostnames: [b.example.test]
                    backends: [{address: 127.0.0.1:9444, weight: 1}]
                default: reject
            admin:
              address: 127.0.0.1:9901
            """);
        assertEquals(0, run("check", "--config", file.toString()));
        assertEquals(file + ": ok: 1 listener, 2 routes, 2 backends, admin 127.0.0.1:9901, 0 warnings\n", out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void shouldExitTwoWithOneLineNamingFileLineAndColumn(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "listeners:\n  - address: 127.0.0.1:8446\n    routes:\n      - hostnames: [a.test]\n"
            + "        backends: [{address: 127.0.0.1:1, weight: 5000}]\n");
        assertEquals(2, run("check", "--config", file.toString()));
        assertEquals(file + ":5:51: must be 1..1000, got 5000\n", err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void shouldPrintCoalescingWarningsButStillPass(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("warn.yaml");
        Files.writeString(file, """
            listeners:
              - address: 127.0.0.1:8446
                routes:
                  - hostnames: ["*.a.test"]
                    backends: [127.0.0.1:2]
                  - hostnames: [x.a.test]
                    backends: [127.0.0.1:3]
            """);
        assertEquals(0, run("check", "--config", file.toString()));
        assertTrue(err.toString().startsWith(file + ":6:21: warning: 'x.a.test' and '*.a.test'"), err.toString());
        assertTrue(out.toString().endsWith("1 warning\n"), out.toString());
    }

    @Test
    void shouldExitTwoForAMissingFile(@TempDir final Path dir)
    {
        assertEquals(2, run("check", "--config", dir.resolve("nope.yaml").toString()));
        assertEquals(dir.resolve("nope.yaml") + ": no such file\n", err.toString());
    }
}
