package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.RawBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gatehouse run}: exit 2 with one line for a bad config or an unbindable address; SIGTERM drains and exits 0. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExitTwoNamingFileLineAndColumnForABadConfig() throws IOException
    {
        final Path config = write("listeners:\n  - name: web\n    address: 127.0.0.1:x\n");
        final StringWriter err = new StringWriter();
        assertEquals(2, run(err, "run", "--config", config.toString()));
        assertTrue(err.toString().startsWith(config + ":3:"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    @Test
    void shouldExitTwoNamingTheAddressAndLeaveNothingBoundWhenOneAddressIsTaken() throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int free = freePort();
            final Path config = write("listeners:\n"
                + "  - name: free\n    address: 127.0.0.1:" + free + "\n"
                + "    routes: [{hostnames: [a.test], backends: [127.0.0.1:9]}]\n"
                + "  - name: taken\n    address: 127.0.0.1:" + taken.getLocalPort() + "\n"
                + "    routes: [{hostnames: [a.test], backends: [127.0.0.1:9]}]\n");
            final StringWriter err = new StringWriter();
            assertEquals(2, run(err, "run", "--config", config.toString()));
            final List<String> lines = err.toString().strip().lines().toList();
            assertEquals(1, lines.size(), err.toString());
            assertTrue(lines.get(0).contains("127.0.0.1:" + taken.getLocalPort()), lines.get(0));
            try (ServerSocket again = new ServerSocket())
            {
                again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), free));
            }
        }
    }

    @Test
    void shouldServeThenDrainAndExitZeroOnSigterm() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int port = freePort();
            final Path config = write("runtime:\n  workers: 1\n  drain_timeout: 5s\n"
                + "listeners:\n  - name: web\n    address: 127.0.0.1:" + port + "\n"
                + "    routes: [{hostnames: [echo.test], backends: [127.0.0.1:" + echo.address().getPort() + "]}]\n"
                + "    default: echo.test\n");
            final Process process = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                Gatehouse.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).start();
            try
            {
                final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                final StringBuilder log = new StringBuilder();
                String line;
                while ((line = out.readLine()) != null && !line.contains("gatehouse: running"))
                {
                    log.append(line).append('\n');
                }
                assertTrue(line != null, "never started:\n" + log);
                try (Socket client = new Socket())
                {
                    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                    client.setSoTimeout(10_000);
                    client.getOutputStream().write(new byte[] {0, 'o', 'k'});
                    client.shutdownOutput();
                    assertEquals(3, client.getInputStream().readAllBytes().length);
                }
                final long startNs = System.nanoTime();
                new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
                while ((line = out.readLine()) != null)
                {
                    log.append(line).append('\n');
                }
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "did not stop after SIGTERM");
                log.append("stopped in ").append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).append(" ms\n");
                assertEquals(0, process.exitValue(), log.toString());
                assertTrue(log.toString().contains("gatehouse: stopped"), log.toString());
            }
            finally
            {
                process.destroyForcibly();
            }
        }
    }

    private int run(final StringWriter err, final String... args)
    {
        final CommandLine cli = Gatehouse.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        return cli.execute(args);
    }

    private Path write(final String yaml) throws IOException
    {
        final Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }
}
