package io.gatehouse.router.systemd;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Tells the service manager what the process is doing, as {@code sd_notify(3)} does: one datagram per
 * message to the unix datagram socket named by {@code $NOTIFY_SOCKET} (a path, or {@code @name} for
 * Linux's abstract namespace). Without {@code $NOTIFY_SOCKET} every call is a no-op that returns
 * {@code false}, so the router calls it unconditionally.
 *
 * <p>Messages, in the order the router sends them: {@link #ready()} once every listener is bound or
 * adopted; {@link #reloading()} when SIGHUP or {@code POST /reload} starts (with the
 * {@code MONOTONIC_USEC} that systemd 253+ requires), then {@link #ready()} when the new config serves
 * or was refused; {@link #stopping()} when a drain begins; {@link #watchdog()} every
 * {@link #watchdogPingIntervalNs()} when {@code WatchdogSec=} is set; {@link #status(String)} for the
 * one-line text {@code systemctl status} shows.
 *
 * <p>Threads: control thread and the watchdog tick; {@link #send(String)} is synchronized (one
 * preallocated direct buffer). It allocates the message text; it is never on the data path. Failures
 * (the manager gone, a full queue) are returned as {@code false}, never thrown: losing a notification
 * must not stop the router.
 *
 * <p>The datagram socket is Netty's native {@link Socket} from the epoll transport's JNI library, as
 * Java 17 has no unix datagram channel. Where that library cannot load (not Linux), the notifier is
 * disabled and {@link #disabledReason()} says why.
 */
public final class SystemdNotifier implements AutoCloseable
{
    /** The most bytes one notify message may take; systemd reads up to its page-sized buffer. */
    public static final int MAX_MESSAGE_BYTES = 4096;

    private static final SystemdNotifier DISABLED = new SystemdNotifier(null, 0, System::nanoTime, "NOTIFY_SOCKET is not set");

    private final byte[] socketPath;
    private final long watchdogUsec;
    private final LongSupplier monotonicNs;
    private final String disabledReason;
    private ByteBuffer buffer;
    private Socket socket;

    private SystemdNotifier(final byte[] socketPath, final long watchdogUsec, final LongSupplier monotonicNs, final String disabledReason)
    {
        this.socketPath = socketPath;
        this.watchdogUsec = watchdogUsec;
        this.monotonicNs = monotonicNs;
        this.disabledReason = disabledReason;
    }

    /** From this process's environment, with {@link System#nanoTime()} as CLOCK_MONOTONIC (HotSpot on Linux reads it). */
    public static SystemdNotifier fromEnvironment()
    {
        return from(System.getenv(), ProcessHandle.current().pid(), System::nanoTime);
    }

    /**
     * From the given environment.
     *
     * @param env         holds {@code NOTIFY_SOCKET}, and {@code WATCHDOG_USEC}/{@code WATCHDOG_PID} when a
     *                    watchdog is asked for.
     * @param pid         this process's pid: a {@code WATCHDOG_PID} naming another process turns the
     *                    watchdog off, as in {@code sd_watchdog_enabled(3)}.
     * @param monotonicNs CLOCK_MONOTONIC in nanoseconds, for {@code MONOTONIC_USEC}.
     */
    public static SystemdNotifier from(final Map<String, String> env, final long pid, final LongSupplier monotonicNs)
    {
        final String path = env.get("NOTIFY_SOCKET");
        if (path == null || path.isEmpty())
        {
            return DISABLED;
        }
        final long watchdogUsec = watchdogUsec(env, pid);
        if (!(path.charAt(0) == '/' || path.charAt(0) == '@') || path.length() < 2)
        {
            return new SystemdNotifier(null, 0, monotonicNs, "NOTIFY_SOCKET is neither an absolute path nor @abstract: " + path);
        }
        final byte[] pathBytes = path.getBytes(StandardCharsets.UTF_8);
        if (pathBytes.length > Socket.UDS_SUN_PATH_SIZE)
        {
            return new SystemdNotifier(null, 0, monotonicNs, "NOTIFY_SOCKET is longer than sun_path: " + path);
        }
        if (pathBytes[0] == '@')
        {
            pathBytes[0] = 0;
        }
        if (!Epoll.isAvailable())
        {
            return new SystemdNotifier(null, 0, monotonicNs, "no native unix sockets: " + Epoll.unavailabilityCause());
        }
        return new SystemdNotifier(pathBytes, watchdogUsec, monotonicNs, null);
    }

    private static long watchdogUsec(final Map<String, String> env, final long pid)
    {
        final String usec = env.get("WATCHDOG_USEC");
        final String watchdogPid = env.get("WATCHDOG_PID");
        if (usec == null)
        {
            return 0;
        }
        try
        {
            if (watchdogPid != null && Long.parseLong(watchdogPid) != pid)
            {
                return 0;
            }
            final long value = Long.parseLong(usec);
            return value > 0 ? value : 0;
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    /** True when messages go somewhere. */
    public boolean enabled()
    {
        return socketPath != null;
    }

    /** Why {@link #enabled()} is false, or {@code null}. */
    public String disabledReason()
    {
        return disabledReason;
    }

    /**
     * How often to send {@link #watchdog()}: half of {@code WATCHDOG_USEC}, as {@code sd_watchdog_enabled(3)}
     * advises; 0 when no watchdog is asked for. The router should ping from a task that proves the event
     * loops still run (e.g. after a round trip through each loop's task queue), not from a bare timer.
     */
    public long watchdogPingIntervalNs()
    {
        return enabled() ? watchdogUsec * 1_000L / 2 : 0;
    }

    /** {@code READY=1}: every listener is bound or adopted, or a reload has finished. */
    public boolean ready()
    {
        return send("READY=1");
    }

    /** {@code READY=1} with a {@code STATUS=} line. */
    public boolean ready(final String status)
    {
        return send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** {@code RELOADING=1} and {@code MONOTONIC_USEC=} now; follow with {@link #ready()} once the reload is done. */
    public boolean reloading()
    {
        return send("RELOADING=1\nMONOTONIC_USEC=" + monotonicNs.getAsLong() / 1_000L);
    }

    /** {@code STOPPING=1}: the drain has begun. */
    public boolean stopping()
    {
        return send("STOPPING=1");
    }

    /** {@code WATCHDOG=1}: still alive. */
    public boolean watchdog()
    {
        return send("WATCHDOG=1");
    }

    /** {@code STATUS=...}: one line for {@code systemctl status}. */
    public boolean status(final String text)
    {
        return send("STATUS=" + oneLine(text));
    }

    /**
     * Sends {@code state} (newline-separated {@code KEY=VALUE} assignments) as one datagram.
     *
     * @return true when the datagram was sent whole; false when disabled, too long, or the send failed.
     */
    public synchronized boolean send(final String state)
    {
        if (socketPath == null)
        {
            return false;
        }
        final byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE_BYTES)
        {
            return false;
        }
        try
        {
            if (socket == null)
            {
                socket = Socket.newSocketDomainDgram();
                buffer = ByteBuffer.allocateDirect(MAX_MESSAGE_BYTES);
            }
            buffer.clear();
            buffer.put(bytes);
            return socket.sendToDomainSocket(buffer, 0, bytes.length, socketPath) == bytes.length;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    @Override
    public synchronized void close()
    {
        if (socket != null)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // the fd is gone either way
            }
            socket = null;
        }
    }

    private static String oneLine(final String text)
    {
        return text.replace('\n', ' ');
    }
}
