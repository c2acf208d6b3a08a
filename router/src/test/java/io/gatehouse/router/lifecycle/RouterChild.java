package io.gatehouse.router.lifecycle;

import io.gatehouse.router.RouterProcessHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The lifecycle suite's router: a {@link RouterProcessHandle} (the router as a child process) on a config
 * written here, so that its file descriptors ({@code /proc/PID/fd}) and counters ({@code GET /metrics} on its admin address) are
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

    private final RouterProcessHandle process;
    private final Path accessLog;
    private final InetSocketAddress vip;
    private final InetSocketAddress admin;

    private RouterChild(final RouterProcessHandle process, final Path accessLog, final InetSocketAddress vip,
        final InetSocketAddress admin)
    {
        this.process = process;
        this.accessLog = accessLog;
        this.vip = vip;
        this.admin = admin;
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
        final RouterProcessHandle process = RouterProcessHandle.launch(config, dir.resolve("router.stderr"), 0,
            RouterProcessHandle.Stop.TERM_THEN_KILL);
        try
        {
            process.awaitRunning("router (" + transport + ", " + relay + ")", 60, () -> listening(process).size() >= 2);
            final List<InetSocketAddress> listening = listening(process);
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
            final String running = process.stderr();
            if (!running.contains("running (" + transport.toLowerCase(Locale.ROOT)))
            {
                throw new AssertionError("router did not start on " + transport + ": " + running);
            }
            return new RouterChild(process, accessLog, vip, admin);
        }
        catch (final Exception | Error ex)
        {
            process.process().destroyForcibly();
            process.process().waitFor(10, TimeUnit.SECONDS);
            throw ex;
        }
    }

    private static List<InetSocketAddress> listening(final RouterProcessHandle process)
    {
        try
        {
            return process.listeningAddresses();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
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
        int sockets = 0;
        int pipes = 0;
        int other = 0;
        for (final String target : process.fdTargets())
        {
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
        return new Fds(sockets, pipes, other);
    }

    /** {@code GET /metrics}, with an HTTP/1.0 request on a socket that is closed after the answer. */
    String metricsText() throws IOException
    {
        return RouterProcessHandle.metricsText(admin);
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
        return process.stderr();
    }

    String stderrTail()
    {
        return process.stderrTail();
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
        process.close();
    }
}
