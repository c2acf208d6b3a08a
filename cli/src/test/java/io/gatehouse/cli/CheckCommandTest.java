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

    @Test
    void shouldRefuseDeeplyNestedConfigWithOneLine(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("nested.yaml");
        Files.writeString(file, "listeners:\n  - address: 127.0.0.1:1\n    allow: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        assertEquals(2, run("check", "--config", file.toString()));
        assertEquals(file + ":3:73: nested deeper than 64 levels of lists and mappings\n", err.toString());
    }

    @Test
    void shouldReportAnAccessLogItCouldNotOpen(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gh.yaml");
        final Path missingDir = dir.resolve("no-such-dir");
        Files.writeString(file, "runtime: {access_log: " + missingDir.resolve("access.log") + "}\n"
            + "listeners: [{address: 127.0.0.1:1, routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]}]\n");
        assertEquals(2, run("check", "--config", file.toString()));
        assertEquals(file + ": runtime.access_log " + missingDir.resolve("access.log") + ": cannot open: no such directory "
            + missingDir + "\n", err.toString());
        assertEquals("", out.toString());

        Files.writeString(file, "runtime: {access_log: " + dir.resolve("access.log") + "}\n"
            + "listeners: [{address: 127.0.0.1:1, routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]}]\n");
        err.getBuffer().setLength(0);
        assertEquals(0, run("check", "--config", file.toString()), err.toString());
        assertTrue(Files.notExists(dir.resolve("access.log")), "check creates nothing");

        Files.writeString(file, "runtime: {access_log: " + missingDir.getParent() + "}\n"
            + "listeners: [{address: 127.0.0.1:1, routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]}]\n");
        err.getBuffer().setLength(0);
        assertEquals(2, run("check", "--config", file.toString()));
        assertEquals(file + ": runtime.access_log " + dir + ": cannot open: Is a directory\n", err.toString());

        final Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        assertTrue(readOnly.toFile().setWritable(false));
        try
        {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly), "running as root: every directory is writable");
            Files.writeString(file, "runtime: {access_log: " + readOnly.resolve("access.log") + "}\n"
                + "listeners: [{address: 127.0.0.1:1, routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]}]\n");
            err.getBuffer().setLength(0);
            assertEquals(2, run("check", "--config", file.toString()));
            assertTrue(err.toString().contains("is not writable"), err.toString());
        }
        finally
        {
            readOnly.toFile().setWritable(true);
        }
    }
}
