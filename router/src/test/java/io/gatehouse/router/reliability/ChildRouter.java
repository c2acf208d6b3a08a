package io.gatehouse.router.reliability;

import io.gatehouse.router.metrics.MetricsSnapshot;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code gatehouse run --config FILE} as a child process, started through {@code sh -c 'ulimit -n N;
 * exec java ...'} so a resource limit and signals reach the router's own process: its pid is the
 * child's. Reads its fd count and CPU time from {@code /proc}, its counters from {@code GET /metrics}.
 */
final class ChildRouter implements AutoCloseable
{
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final Process process;
    private final Path stderr;
    private final int adminPort;

    private ChildRouter(final Process process, final Path stderr, final int adminPort)
    {
        this.process = process;
        this.stderr = stderr;
        this.adminPort = adminPort;
    }

    /**
     * Starts the router on {@code config} (which must bind {@code admin} to {@code adminPort}) under an
     * open-file limit of {@code fdLimit} and waits for its "running" line.
     */
    static ChildRouter start(final Path dir, final Path config, final int adminPort, final int fdLimit) throws Exception
    {
        final List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.add("--add-exports");
        java.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        java.add("-Xmx256m");
        java.add("-XX:+UseSerialGC");
        java.add("-XX:TieredStopAtLevel=1");
        java.add("-Dio.netty.leakDetection.level=paranoid");
        java.add("-cp");
        java.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        java.add("io.gatehouse.router.control.RouterProcess");
        java.add("--config");
        java.add(config.toString());
        final StringBuilder command = new StringBuilder("ulimit -n " + fdLimit + " && exec");
        for (final String word : java)
        {
            command.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        final Path stderr = dir.resolve("router-" + System.nanoTime() + ".stderr");
        final ProcessBuilder builder = new ProcessBuilder("sh", "-c", command.toString());
        builder.redirectError(stderr.toFile());
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        final ChildRouter child = new ChildRouter(builder.start(), stderr, adminPort);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!child.stderr().contains("gatehouse: running"))
        {
            if (!child.process.isAlive() || deadlineNs - System.nanoTime() < 0)
            {
                child.close();
                throw new AssertionError("router did not start: " + child.stderr());
            }
            Thread.sleep(20);
        }
        return child;
    }

    long pid()
    {
        return process.pid();
    }

    Process process()
    {
        return process;
    }

    int openFds()
    {
        return Loopback.openFds(process.pid());
    }

    /** User plus system CPU time the router used so far, in milliseconds. */
    long cpuMs() throws IOException
    {
        final String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        final long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
    }

    MetricsSnapshot metrics() throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL("http://127.0.0.1:" + adminPort + "/metrics").openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(10_000);
        try
        {
            return MetricsSnapshot.parse(new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        finally
        {
            connection.disconnect();
        }
    }

    void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IOException("kill -s " + name + " " + process.pid() + " failed");
        }
    }

    String stderr()
    {
        try
        {
            return Files.readString(stderr);
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
