package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose stdout lines are collected on a daemon thread, so a test waits for a line with a
 * bound instead of blocking on a read; its stderr goes to a file the failure message can show.
 */
public final class ChildJvm implements AutoCloseable
{
    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(final Process process, final Path stderr)
    {
        this.process = process;
        this.stderr = stderr;
        final Thread reader = new Thread(this::pump, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code java} with the test classpath, flags that start it quickly, then {@code mainClassAndArgs}. */
    public static List<String> javaCommand(final String... mainClassAndArgs)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.addAll(List.of(mainClassAndArgs));
        return command;
    }

    public static ChildJvm start(final ProcessBuilder builder, final Path stderr) throws IOException
    {
        builder.redirectError(stderr.toFile());
        return new ChildJvm(builder.start(), stderr);
    }

    public Process process()
    {
        return process;
    }

    /** The next stdout line, or {@code null} when none came within {@code timeoutMs}. */
    public String nextLine(final long timeoutMs) throws InterruptedException
    {
        return lines.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Everything the child wrote on stderr so far, for failure messages. */
    public String stderr()
    {
        try
        {
            return java.nio.file.Files.readString(stderr);
        }
        catch (final IOException ex)
        {
            return "(stderr unreadable: " + ex + ")";
        }
    }

    /** Closes stdin (the child's signal to exit) and waits up to {@code timeoutMs} for it to exit. */
    public int closeStdinAndWait(final long timeoutMs) throws IOException, InterruptedException
    {
        process.getOutputStream().close();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            return Integer.MIN_VALUE;
        }
        return process.exitValue();
    }

    private void pump()
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                lines.add(line);
            }
        }
        catch (final IOException ignored)
        {
            // the child is gone
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A loopback connection to {@code port} with a read timeout; the socket is closed if the connect fails. */
    public static Socket connect(final int port, final long readTimeoutMs) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout((int)readTimeoutMs);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /**
     * Connects to {@code port} once something listens there (the child, or systemd-socket-activate in
     * front of it), failing at once if this child exits and after {@code timeoutMs} otherwise.
     */
    public Socket connectWhenListening(final int port, final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            try
            {
                return connect(port, timeoutMs);
            }
            catch (final IOException ex)
            {
                assertTrue(process.isAlive(), "systemd-socket-activate exited: " + stderr());
                assertTrue(deadlineNs - System.nanoTime() > 0, "nothing listened on " + port + ": " + stderr());
                Thread.sleep(10);
            }
        }
    }
}
