package io.gatehouse.router.lifecycle;

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
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The router under test as a child process (what {@code gatehouse run --config FILE} runs: {@code
 * io.gatehouse.router.control.RouterProcess}'s main, in its own JVM), so that
 * its file descriptors ({@code /proc/PID/fd}) and counters ({@code GET /metrics} on its admin address) are
 * its own and exact, not mixed with the test's sockets.
 *
 * <p>Every address in its config is port 0: the bound ports are read back from the kernel (the child's
 * listening sockets in {@code /proc/PID/net/tcp} and {@code tcp6}, matched by socket inode), never probed for beforehand.
 * The listener binds {@code 127.0.0.1}, the admin endpoint {@code 127.0.0.2}, which tells them apart.
 */
final class RouterChild implements AutoCloseable
{
    static final String LISTENER_HOST = "127.0.0.1";
    static final String ADMIN_HOST = "127.0.0.2";
    static final int WORKERS = 2;

    /**
     * The router's descriptors that are not files, by kind: sockets, pipes (splice) and the rest (event
     * fds, epoll and io_uring instances, timers). Files (jars the JVM opens as classes load, the access
     * log) are left out: they are not per connection.
     */
    record Fds(int sockets, int pipes, int other)
    {
        /**
         * How many fds {@code after} holds beyond this count: sockets and other fds exactly, pipes beyond
         * the larger of this count and {@code pipeAllowance} (a pool's bound).
         */
        int excess(final Fds after, final int pipeAllowance)
        {
            return Math.max(0, after.sockets - sockets) + Math.max(0, after.pipes - Math.max(pipes, pipeAllowance))
                + Math.max(0, after.other - other);
        }

        boolean covers(final Fds after, final int pipeAllowance)
        {
            return excess(after, pipeAllowance) == 0;
        }

        int total()
        {
            return sockets + pipes + other;
        }

        @Override
        public String toString()
        {
            return sockets + " sockets, " + pipes + " pipe fds, " + other + " other";
        }
    }

    private final Process process;
    private final Path stderr;
    private final Path accessLog;
    private final InetSocketAddress vip;
    private final InetSocketAddress admin;

    private RouterChild(final Process process, final Path stderr, final Path accessLog, final InetSocketAddress vip,
        final InetSocketAddress admin)
    {
        this.process = process;
        this.stderr = stderr;
        this.accessLog = accessLog;
        this.vip = vip;
        this.admin = admin;
    }

    /**
     * The command that runs the router's foreground process on {@code config}: the one place that names
     * the router's main class.
     */
    static List<String> command(final Path config)
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
     * Writes a config for {@code transport} with one listener (relay {@code relay}, {@code routes} YAML
     * indented under {@code routes:}), an access log and an admin endpoint, starts the router on it and
     * waits for its "running" line and its two bound addresses.
     */
    static RouterChild start(final Path dir, final String transport, final String relay, final String routes)
        throws Exception
    {
        return start(dir, transport, relay, routes, "reject");
    }

    /** As {@link #start(Path, String, String, String)}, with the listener's {@code default} (a route's hostname, or {@code reject}). */
    static RouterChild start(final Path dir, final String transport, final String relay, final String routes,
        final String defaultRoute) throws Exception
    {
        final Path accessLog = dir.resolve("access.log");
        final Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, "runtime: {transport: " + transport + ", workers: " + WORKERS + ", drain_timeout: 1s, idle_timeout: 300s, "
            + "access_log: \"" + accessLog + "\"}\n"
            + "listeners:\n"
            + "  - name: vip\n"
            + "    address: " + LISTENER_HOST + ":0\n"
            + "    protocol: auto\n"
            + "    relay: " + relay + "\n"
            + "    peek_timeout: 10s\n"
            + "    routes:\n"
            + routes
            + "    default: " + defaultRoute + "\n"
            + "admin: {address: \"" + ADMIN_HOST + ":0\"}\n");
        final Path stderr = dir.resolve("router.stderr");
        final ProcessBuilder builder = new ProcessBuilder(command(config));
        builder.redirectError(stderr.toFile());
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        final Process process = builder.start();
        try
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<InetSocketAddress> listening = List.of();
            while (!read(stderr).contains("gatehouse: running") || listening.size() < 2)
            {
                if (!process.isAlive() || deadlineNs - System.nanoTime() < 0)
                {
                    throw new AssertionError("router (" + transport + ", " + relay + ") did not start: " + read(stderr));
                }
                Thread.sleep(20);
                listening = listeningAddresses(process.pid());
            }
            InetSocketAddress vip = null;
            InetSocketAddress admin = null;
            for (final InetSocketAddress address : listening)
            {
                if (address.getHostString().equals(LISTENER_HOST))
                {
                    vip = address;
                }
                else if (address.getHostString().equals(ADMIN_HOST))
                {
                    admin = address;
                }
            }
            if (vip == null || admin == null)
            {
                throw new AssertionError("router listens on " + listening + ", not on one " + LISTENER_HOST + " and one " + ADMIN_HOST + " port");
            }
            final String running = read(stderr);
            if (!running.contains("running (" + transport.toLowerCase(Locale.ROOT)))
            {
                throw new AssertionError("router did not start on " + transport + ": " + running);
            }
            return new RouterChild(process, stderr, accessLog, vip, admin);
        }
        catch (final Exception | Error ex)
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw ex;
        }
    }

    InetSocketAddress vip()
    {
        return vip;
    }

    long pid()
    {
        return process.pid();
    }

    Path accessLog()
    {
        return accessLog;
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /** The router's descriptors that are not files, by kind. */
    Fds fds()
    {
        final String[] entries = Path.of("/proc/" + process.pid() + "/fd").toFile().list();
        if (entries == null)
        {
            throw new AssertionError("router process " + process.pid() + " is gone: " + stderrTail());
        }
        int sockets = 0;
        int pipes = 0;
        int other = 0;
        for (final String entry : entries)
        {
            try
            {
                final String target = Files.readSymbolicLink(Path.of("/proc/" + process.pid() + "/fd/" + entry)).toString();
                if (target.startsWith("socket:"))
                {
                    sockets++;
                }
                else if (target.startsWith("pipe:"))
                {
                    pipes++;
                }
                else if (!target.startsWith("/"))
                {
                    other++;
                }
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
        return new Fds(sockets, pipes, other);
    }

    /** {@code GET /metrics}, with an HTTP/1.0 request on a socket that is closed after the answer. */
    String metricsText() throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(admin, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /metrics HTTP/1.0\r\nHost: " + ADMIN_HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!answer.startsWith("HTTP/1.1 200") && !answer.startsWith("HTTP/1.0 200"))
            {
                throw new IOException("GET /metrics: " + answer.lines().findFirst().orElse("(no answer)"));
            }
            return answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }

    /** The sum of every sample of {@code metric} (all label sets), 0 when it has none. */
    long metric(final String metric)
    {
        final String text;
        try
        {
            text = metricsText();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("router's /metrics did not answer: " + ex + "\n" + stderrTail(), ex);
        }
        double sum = 0;
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(metric) && line.length() > metric.length()
                && (line.charAt(metric.length()) == ' ' || line.charAt(metric.length()) == '{'))
            {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long)sum;
    }

    long activeConnections()
    {
        return metric("gatehouse_connections_active");
    }

    String stderr()
    {
        return read(stderr);
    }

    String stderrTail()
    {
        final String all = read(stderr);
        return all.length() <= 4_000 ? all : "..." + all.substring(all.length() - 4_000);
    }

    /** Polls {@code condition} every 10 ms until it holds or {@code seconds} pass (then fails with {@code detail}). */
    static void await(final String what, final int seconds, final BooleanSupplier condition, final Supplier<String> detail)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (deadlineNs - System.nanoTime() < 0)
            {
                throw new AssertionError("timed out after " + seconds + " s waiting for: " + what + ": " + detail.get());
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /**
     * Polls {@code condition} every 10 ms until it holds or {@code seconds} pass, and returns either way:
     * for a figure that is read after it, and judged there.
     */
    static void settle(final int seconds, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean() && deadlineNs - System.nanoTime() > 0)
        {
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroy();
            try
            {
                if (!process.waitFor(15, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** The IPv4 TCP addresses {@code pid} listens on: its socket inodes matched against {@code /proc/PID/net/tcp}. */
    static List<InetSocketAddress> listeningAddresses(final long pid) throws IOException
    {
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

    private static String read(final Path file)
    {
        try (InputStream in = Files.newInputStream(file))
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
}
