package io.gatehouse.router.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.systemd.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router started under {@code nohup} (SIGHUP ignored, which the JVM then refuses to take over) says so at
 * start; started as {@code bin/gatehouse run} starts it ({@code env --default-signal=HUP}, after nohup), its
 * SIGHUP handler is installed and reloads. Real child JVMs, real signals.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SighupUnderNohupTest
{
    private static final String CONFIG = "listeners:\n  - address: 127.0.0.1:0\n    routes: [{hostnames: [a.test], "
        + "backends: [127.0.0.1:1]}]\n";

    @Test
    void shouldWarnAtStartWhenSighupIsIgnored(@TempDir final Path dir) throws Exception
    {
        final Path config = dir.resolve("gh.yaml");
        Files.writeString(config, CONFIG);
        final Path stderr = dir.resolve("stderr.txt");
        final List<String> command = new ArrayList<>(List.of("nohup"));
        command.addAll(ChildJvm.javaCommand("io.gatehouse.router.control.RouterProcess", "--config", config.toString()));
        try (ChildJvm child = ChildJvm.start(new ProcessBuilder(command).directory(dir.toFile()), stderr))
        {
            waitFor(() -> child.stderr().contains("gatehouse: running"), child);
            assertTrue(child.stderr().contains("gatehouse: warning: SIGHUP was ignored when the process started (nohup?)"),
                child.stderr());
        }
    }

    @Test
    void shouldReloadOnSighupUnderNohupOnceTheLauncherRestoresIt(@TempDir final Path dir) throws Exception
    {
        final Path config = dir.resolve("gh.yaml");
        Files.writeString(config, CONFIG);
        final Path stderr = dir.resolve("stderr.txt");
        final List<String> command = new ArrayList<>(List.of("nohup", "env", "--default-signal=HUP"));
        command.addAll(ChildJvm.javaCommand("io.gatehouse.router.control.RouterProcess", "--config", config.toString()));
        try (ChildJvm child = ChildJvm.start(new ProcessBuilder(command).directory(dir.toFile()), stderr))
        {
            waitFor(() -> child.stderr().contains("gatehouse: running"), child);
            assertFalse(child.stderr().contains("SIGHUP was ignored"), child.stderr());
            new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid())).start().waitFor(10, TimeUnit.SECONDS);
            waitFor(() -> child.stderr().contains("gatehouse: reload (SIGHUP) unchanged: generation 1 still serving"), child);
            assertTrue(child.process().isAlive());
        }
    }

    private static void waitFor(final BooleanSupplier condition, final ChildJvm child) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0 || !child.process().isAlive())
            {
                throw new AssertionError("not seen within 40s; child stderr:\n" + child.stderr());
            }
            Thread.sleep(20);
        }
    }
}
