package io.gatehouse.router;

import io.gatehouse.router.metrics.MetricsSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The router under test as a child process (what {@code gatehouse run --config FILE} runs: {@code
 * io.gatehouse.router.control.RouterProcess}'s main, in its own JVM), for the suites that need its
 * descriptors, counters, signals and exit to be its own: the lifecycle suite (fds and counters exact) and
 * the reliability suite (a resource limit and signals that reach the router's own process).
 *
 * <p>Its stderr goes to a file, read whole at each look; its stdout is discarded. Under an open-file
 * limit it is started as {@code sh -c 'ulimit -n N && exec java ...'}, so its pid is still the router's.
 */
public final class RouterProcessHandle implements AutoCloseable
{
    /** What {@link #close} does to a router still running. */
    public enum Stop
    {
        /** SIGTERM, 15 s to exit, then SIGKILL. */
        TERM_THEN_KILL,
        /** SIGKILL at once (a router with a long settle or drain would hold the test). */
        KILL
    }

    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final Process process;
    private final Path stderr;
    private final Stop stop;

    private RouterProcessHandle(final Process process, final Path stderr, final Stop stop)
    {
        this.process = process;
        this.stderr = stderr;
        this.stop = stop;
    }

    /**
     * The command that runs the router's foreground process on {@code config}: the one place that names
     * the router's main class.
     */
    public static List<String> command(final Path config)
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
        return java;
    }

    /**
     * Starts the router on {@code config} with its stderr in {@code stderr}, under an open-file limit of
     * {@code fdLimit} (0: the test's own limit, and no shell in between). It does not wait: see {@link
     * #awaitRunning}.
     */
    public static RouterProcessHandle launch(final Path config, final Path stderr, final int fdLimit, final Stop stop)
        throws IOException
    {
        final ProcessBuilder builder;
        if (fdLimit > 0)
        {
            final StringBuilder command = new StringBuilder("ulimit -n " + fdLimit + " && exec");
            for (final String word : command(config))
            {
                command.append(" '").append(word.replace("'", "'\\''")).append('\'');
            }
            builder = new ProcessBuilder("sh", "-c", command.toString());
        }
        else
        {
            builder = new ProcessBuilder(command(config));
        }
        builder.redirectError(stderr.toFile());
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new RouterProcessHandle(builder.start(), stderr, stop);
    }

    /**
     * Starts the router on {@code config} under an open-file limit of {@code fdLimit}, its stderr in a
     * fresh file in {@code dir}, waits 30 s at most for its "running" line, and kills it on {@link #close}.
     */
    public static RouterProcessHandle start(final Path dir, final Path config, final int fdLimit) throws Exception
    {
        final RouterProcessHandle router = launch(config, dir.resolve("router-" + System.nanoTime() + ".stderr"), fdLimit, Stop.KILL);
        router.awaitRunning("router", 30, () -> true);
        return router;
    }

    /**
     * Waits up to {@code seconds} for the router's "running" line and for {@code alsoReady}; if the
     * router exits first or the time passes, kills it and fails with "{@code who} did not start" and its
     * stderr.
     */
    public void awaitRunning(final String who, final int seconds, final BooleanSupplier alsoReady) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!stderr().contains("gatehouse: running") || !alsoReady.getAsBoolean())
        {
            if (!process.isAlive() || deadlineNs - System.nanoTime() < 0)
            {
                kill();
                throw new AssertionError(who + " did not start: " + stderr());
            }
            Thread.sleep(20);
        }
    }

    public long pid()
    {
        return process.pid();
    }

    public Process process()
    {
        return process;
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    public String stderr()
    {
        try (InputStream in = Files.newInputStream(stderr))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return "";
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    /** The last 4,000 characters of {@link #stderr}. */
    public String stderrTail()
    {
        final String all = stderr();
        return all.length() <= 4_000 ? all : "..." + all.substring(all.length() - 4_000);
    }

    /** How many descriptors the router holds open, -1 once it is gone. */
    public int openFds()
    {
        final String[] entries = Path.of("/proc/" + process.pid() + "/fd").toFile().list();
        return entries == null ? -1 : entries.length;
    }

    /**
     * What each of the router's descriptors points at ({@code socket:[INODE]}, {@code pipe:[INODE]},
     * {@code anon_inode:...}, a path), as {@code readlink} tells; one closed while listed is left out.
     */
    public List<String> fdTargets()
    {
        final String[] entries = Path.of("/proc/" + process.pid() + "/fd").toFile().list();
        if (entries == null)
        {
            throw new AssertionError("router process " + process.pid() + " is gone: " + stderrTail());
        }
        final List<String> targets = new ArrayList<>(entries.length);
        for (final String entry : entries)
        {
            try
            {
                targets.add(Files.readSymbolicLink(Path.of("/proc/" + process.pid() + "/fd/" + entry)).toString());
            }
            catch (final NoSuchFileException ex)
            {
                // Closed while listed.
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        return targets;
    }

    /** User plus system CPU time the router used so far, in milliseconds. */
    public long cpuMs() throws IOException
    {
        final String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        final long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
    }

    /** {@code GET /metrics} on {@code admin}, with an HTTP/1.0 request on a socket that is closed after the answer. */
    public static String metricsText(final InetSocketAddress admin) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(admin, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /metrics HTTP/1.0\r\nHost: " + admin.getHostString() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!answer.startsWith("HTTP/1.1 200") && !answer.startsWith("HTTP/1.0 200"))
            {
                throw new IOException("GET /metrics: " + answer.lines().findFirst().orElse("(no answer)"));
            }
            return answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }

    /** {@link #metricsText} on {@code admin}, parsed. */
    public static MetricsSnapshot metrics(final InetSocketAddress admin) throws IOException
    {
        return MetricsSnapshot.parse(metricsText(admin));
    }

    /** {@code kill -s NAME PID}. */
    public void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IOException("kill -s " + name + " " + process.pid() + " failed");
        }
    }

    /** The IPv4 TCP addresses the router listens on: its socket inodes matched against {@code /proc/PID/net/tcp} and {@code tcp6}. */
    public List<InetSocketAddress> listeningAddresses() throws IOException
    {
        final long pid = process.pid();
        final TreeSet<String> inodes = new TreeSet<>();
        final String[] entries = Path.of("/proc/" + pid + "/fd").toFile().list();
        if (entries == null)
        {
            return List.of();
        }
        for (final String entry : entries)
        {
            try
            {
                final String target = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + entry)).toString();
                if (target.startsWith("socket:["))
                {
                    inodes.add(target.substring(8, target.length() - 1));
                }
            }
            catch (final NoSuchFileException ex)
            {
                // Closed while listed.
            }
        }
        final List<InetSocketAddress> listening = new ArrayList<>();
        for (final String table : List.of("tcp", "tcp6"))
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(Path.of("/proc/" + pid + "/net/" + table));
            }
            catch (final NoSuchFileException ex)
            {
                continue;
            }
            for (final String line : lines.subList(1, lines.size()))
            {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[3].equals("0A") && inodes.contains(fields[9]))
                {
                    final String[] hostPort = fields[1].split(":");
                    final String hex = hostPort[0];
                    // IPv4 as 8 hex digits in host (little-endian) order; a Java socket is often IPv6 with
                    // the IPv4-mapped address ::ffff:a.b.c.d, whose last 8 digits are the same IPv4 word.
                    if (hex.length() == 8 || hex.startsWith("0000000000000000FFFF0000"))
                    {
                        final long ip = Long.parseLong(hex.substring(hex.length() - 8), 16);
                        final String host = (ip & 0xff) + "." + ((ip >> 8) & 0xff) + "." + ((ip >> 16) & 0xff) + "." + ((ip >> 24) & 0xff);
                        final InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(hostPort[1], 16));
                        if (!listening.contains(address))
                        {
                            listening.add(address);
                        }
                    }
                }
            }
        }
        return listening;
    }

    /** Ends a router still running as its {@link Stop} says. */
    @Override
    public void close()
    {
        if (!process.isAlive())
        {
            return;
        }
        if (stop == Stop.KILL)
        {
            kill();
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(15, TimeUnit.SECONDS))
            {
                kill();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void kill()
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
