package io.gatehouse.router.log;

import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jctools.queues.MpscArrayQueue;

/**
 * The access log: event loops {@link #offer} finished connections; the {@code gatehouse-access-log}
 * thread writes one JSON line each ({@link AccessLogFormat}) to a file (appended) or to stderr
 * ({@code "-"}).
 *
 * <p>Threads: {@link #offer} from any event loop: one wait-free MPSC enqueue, no lock, no syscall; a full
 * queue drops the entry and counts it ({@code gatehouse_access_log_dropped_total}). {@link #reopen} from
 * any thread (the SIGUSR1 handler): the writer closes and reopens the path before its next line, so a
 * renamed file (logrotate) is let go. The writer polls the queue and, when it is empty, flushes and parks
 * for up to {@link #IDLE_PARK_NS}; so a line reaches the file within about that time. A write error is
 * counted and reported once per failure streak; the writer reopens and carries on.
 */
public final class AccessLog implements MetricsSource, AutoCloseable
{
    public static final int DEFAULT_QUEUE_CAPACITY = 64 * 1024;
    public static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int FLUSH_BYTES = 64 * 1024;

    private final String target;
    private final MpscArrayQueue<AccessLogEntry> queue;
    private final Consumer<String> errors;
    private final LongAdder dropped = new LongAdder();
    private final Thread writerThread;
    private volatile boolean running = true;
    private volatile boolean reopenRequested;
    private volatile long written;
    private volatile long writeErrors;
    private volatile long reopens;
    private Writer out;

    private AccessLog(final String target, final int queueCapacity, final Consumer<String> errors)
    {
        this.target = target;
        this.queue = new MpscArrayQueue<>(queueCapacity);
        this.errors = errors;
        this.writerThread = new Thread(this::run, "gatehouse-access-log");
        this.writerThread.setDaemon(true);
    }

    /**
     * Opens the target and starts the writer.
     *
     * @param target        a file path (created, appended to) or {@code "-"} for stderr.
     * @param queueCapacity entries buffered between the event loops and the writer (rounded up to a power of 2).
     * @param errors        where write errors are reported (e.g. {@code System.err::println}).
     * @throws IOException when the file cannot be opened (the message names it).
     */
    public static AccessLog open(final String target, final int queueCapacity, final Consumer<String> errors) throws IOException
    {
        final AccessLog log = create(target, queueCapacity, errors);
        log.start();
        return log;
    }

    static AccessLog create(final String target, final int queueCapacity, final Consumer<String> errors) throws IOException
    {
        final AccessLog log = new AccessLog(target, queueCapacity, errors);
        log.out = log.openTarget();
        return log;
    }

    void start()
    {
        writerThread.start();
    }

    /** The path or {@code "-"}. */
    public String target()
    {
        return target;
    }

    /**
     * Hands a finished connection to the writer. Any thread; never blocks.
     *
     * @return false when the queue was full and the entry was dropped (counted).
     */
    public boolean offer(final AccessLogEntry entry)
    {
        if (queue.offer(entry))
        {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Asks the writer to close and reopen the target (after logrotate). Any thread. */
    public void reopen()
    {
        reopenRequested = true;
        LockSupport.unpark(writerThread);
    }

    public long dropped()
    {
        return dropped.sum();
    }

    public long written()
    {
        return written;
    }

    private Writer openTarget() throws IOException
    {
        final OutputStream stream;
        if (target.equals("-"))
        {
            stream = new FileOutputStream(java.io.FileDescriptor.err)
            {
                @Override
                public void close()
                {
                    // stderr stays open.
                }
            };
        }
        else
        {
            try
            {
                final Path path = Path.of(target);
                stream = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new IOException("access log " + target + ": cannot open: " + reason(ex), ex);
            }
        }
        return new OutputStreamWriter(stream, StandardCharsets.UTF_8);
    }

    /**
     * Whether {@link #open} would succeed for {@code target}, without creating or changing anything (what
     * {@code gatehouse check} asks): an existing file must open for appending, a new one needs a writable
     * directory. Any thread.
     *
     * @throws IOException saying why it would not open, in the words {@link #open} uses.
     */
    public static void checkOpenable(final String target) throws IOException
    {
        if ("-".equals(target))
        {
            return;
        }
        try
        {
            final Path path = Path.of(target);
            if (Files.exists(path))
            {
                Files.newOutputStream(path, StandardOpenOption.APPEND, StandardOpenOption.WRITE).close();
                return;
            }
            final Path dir = path.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir))
            {
                throw new IOException("access log " + target + ": cannot open: no such directory " + dir);
            }
            if (!Files.isWritable(dir))
            {
                throw new IOException("access log " + target + ": cannot open: the directory " + dir
                    + " is not writable (read-only file system or permission denied)");
            }
        }
        catch (final IOException ex)
        {
            if (ex.getMessage() != null && ex.getMessage().startsWith("access log "))
            {
                throw ex;
            }
            throw new IOException("access log " + target + ": cannot open: " + reason(ex), ex);
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("access log " + target + ": cannot open: " + reason(ex), ex);
        }
    }

    private static String reason(final Exception ex)
    {
        if (ex instanceof java.nio.file.NoSuchFileException)
        {
            return "no such file or directory";
        }
        if (ex instanceof java.nio.file.AccessDeniedException)
        {
            return "permission denied";
        }
        if (ex instanceof java.nio.file.FileSystemException fs && fs.getReason() != null)
        {
            return fs.getReason();
        }
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }

    private void run()
    {
        final StringBuilder line = new StringBuilder(512);
        int pending = 0;
        boolean failing = false;
        while (true)
        {
            if (reopenRequested)
            {
                reopenRequested = false;
                failing = reopenTarget(failing);
                pending = 0;
            }
            final AccessLogEntry entry = queue.relaxedPoll();
            if (entry == null)
            {
                if (pending > 0)
                {
                    failing = flush(failing);
                    pending = 0;
                }
                if (!running && queue.isEmpty())
                {
                    break;
                }
                LockSupport.parkNanos(IDLE_PARK_NS);
                continue;
            }
            line.setLength(0);
            AccessLogFormat.append(entry, line);
            try
            {
                out.append(line);
                pending += line.length();
                written++;
                failing = false;
                if (pending >= FLUSH_BYTES)
                {
                    out.flush();
                    pending = 0;
                }
            }
            catch (final IOException ex)
            {
                failing = writeFailed(ex, failing);
            }
        }
        try
        {
            out.close();
        }
        catch (final IOException ex)
        {
            errors.accept("gatehouse: access log " + target + ": close: " + ex.getMessage());
        }
    }

    private boolean flush(final boolean failing)
    {
        try
        {
            out.flush();
            return false;
        }
        catch (final IOException ex)
        {
            return writeFailed(ex, failing);
        }
    }

    private boolean writeFailed(final IOException ex, final boolean failing)
    {
        writeErrors++;
        if (!failing)
        {
            errors.accept("gatehouse: access log " + target + ": write failed, lines are being lost: " + ex.getMessage());
        }
        reopenRequested = true;
        return true;
    }

    private boolean reopenTarget(final boolean failing)
    {
        try
        {
            out.close();
        }
        catch (final IOException ex)
        {
            // The old file is being let go; what it lost is already counted.
        }
        try
        {
            out = openTarget();
            reopens++;
            return false;
        }
        catch (final IOException ex)
        {
            writeErrors++;
            if (!failing)
            {
                errors.accept("gatehouse: " + ex.getMessage());
            }
            out = Writer.nullWriter();
            return true;
        }
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        writer.counter("gatehouse_access_log_lines_total", "Access log lines written.").sample(written);
        writer.counter("gatehouse_access_log_dropped_total", "Access log entries dropped because the queue was full.")
            .sample(dropped.sum());
        writer.counter("gatehouse_access_log_write_errors_total", "Access log write or open failures.").sample(writeErrors);
        writer.counter("gatehouse_access_log_reopens_total", "Times the access log file was reopened (SIGUSR1).").sample(reopens);
        writer.gauge("gatehouse_access_log_queue_depth", "Entries waiting for the access log writer.").sample(queue.size());
    }

    /** Writes what is queued, flushes and stops the writer (bounded wait). */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(writerThread);
        if (writerThread.isAlive() || writerThread.getState() != Thread.State.NEW)
        {
            try
            {
                writerThread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        else
        {
            try
            {
                out.close();
            }
            catch (final IOException ex)
            {
                errors.accept("gatehouse: access log " + target + ": close: " + ex.getMessage());
            }
        }
    }
}
