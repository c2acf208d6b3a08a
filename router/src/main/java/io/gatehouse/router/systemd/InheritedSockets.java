package io.gatehouse.router.systemd;

import io.gatehouse.router.config.HostPort;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sockets passed by socket activation: {@code LISTEN_PID}, {@code LISTEN_FDS} and
 * {@code LISTEN_FDNAMES} as {@code sd_listen_fds(3)} defines them. The descriptors are 3, 4, ...
 * {@code 3 + LISTEN_FDS - 1}; they count only when {@code LISTEN_PID} is this process (the variables
 * may have leaked from a parent). {@code LISTEN_FDNAMES}, when present, holds exactly
 * {@code LISTEN_FDS} colon-separated names.
 *
 * <p>Read once, on the control thread, before any listener binds. Java cannot unset environment
 * variables, so a child process the router might start would see them; it starts none, and a child's
 * pid differs from {@code LISTEN_PID} anyway.
 *
 * @param status  what the environment held.
 * @param sockets the passed descriptors in fd order; empty unless {@code status} is {@link Status#OK}.
 * @param reason  why, when {@code status} is {@link Status#MALFORMED} or {@link Status#NOT_FOR_THIS_PROCESS}.
 */
public record InheritedSockets(Status status, List<InheritedSocket> sockets, String reason)
{
    /** The first passed descriptor ({@code SD_LISTEN_FDS_START}). */
    public static final int LISTEN_FDS_START = 3;
    /** More than this many passed descriptors is treated as malformed input, not honoured. */
    public static final int MAX_LISTEN_FDS = 1024;

    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int SOCK_STREAM = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** What the environment held. */
    public enum Status
    {
        /** No {@code LISTEN_FDS}: bind as usual. */
        NONE,
        /** Descriptors were passed to this process. */
        OK,
        /** {@code LISTEN_PID} names another process: the variables are a parent's; ignore them. */
        NOT_FOR_THIS_PROCESS,
        /** The variables are present but wrong; {@link #reason()} says how. The router refuses to start. */
        MALFORMED
    }

    public InheritedSockets
    {
        sockets = List.copyOf(sockets);
    }

    /** From this process's environment and pid, inspecting each descriptor with getsockopt/getsockname. */
    public static InheritedSockets fromEnvironment()
    {
        return parse(System.getenv(), ProcessHandle.current().pid(), InheritedSockets::inspect);
    }

    /**
     * Parses {@code env} for process {@code pid}.
     *
     * @param inspect describes one descriptor, given its number and name (tests pass a fake).
     */
    public static InheritedSockets parse(final Map<String, String> env, final long pid, final Inspector inspect)
    {
        final String listenPid = env.get("LISTEN_PID");
        final String listenFds = env.get("LISTEN_FDS");
        if (listenFds == null)
        {
            return new InheritedSockets(Status.NONE, List.of(), null);
        }
        if (listenPid == null)
        {
            return malformed("LISTEN_FDS=" + listenFds + " without LISTEN_PID");
        }
        final long expectedPid;
        final int count;
        try
        {
            expectedPid = Long.parseLong(listenPid);
            count = Integer.parseInt(listenFds);
        }
        catch (final NumberFormatException ex)
        {
            return malformed("LISTEN_PID=" + listenPid + " LISTEN_FDS=" + listenFds + " are not numbers");
        }
        if (expectedPid != pid)
        {
            return new InheritedSockets(Status.NOT_FOR_THIS_PROCESS, List.of(), "LISTEN_PID=" + expectedPid + " is not this process (" + pid + ")");
        }
        if (count < 0 || count > MAX_LISTEN_FDS)
        {
            return malformed("LISTEN_FDS=" + count + " is outside 0.." + MAX_LISTEN_FDS);
        }
        final String names = env.get("LISTEN_FDNAMES");
        final String[] split = names == null ? null : names.split(":", -1);
        if (split != null && split.length != count)
        {
            return malformed("LISTEN_FDNAMES has " + split.length + " names for LISTEN_FDS=" + count + ": " + names);
        }
        final List<InheritedSocket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int fd = LISTEN_FDS_START + i;
            sockets.add(inspect.inspect(fd, split == null ? "unknown" : split[i]));
        }
        return new InheritedSockets(Status.OK, sockets, null);
    }

    private static InheritedSockets malformed(final String reason)
    {
        return new InheritedSockets(Status.MALFORMED, List.of(), reason);
    }

    /** Describes a real descriptor of this process: family, type, listening state and bound address. */
    public static InheritedSocket inspect(final int fd, final String name)
    {
        if (!Epoll.isAvailable())
        {
            return new InheritedSocket(fd, name, null, false);
        }
        try
        {
            final Socket socket = new Socket(fd);
            final int domain = socket.getIntOpt(SOL_SOCKET, SO_DOMAIN);
            final boolean inet = domain == AF_INET || domain == AF_INET6;
            final boolean stream = socket.getIntOpt(SOL_SOCKET, SO_TYPE) == SOCK_STREAM;
            final boolean listening = socket.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) != 0;
            final InetSocketAddress local = inet ? socket.localAddress() : null;
            return new InheritedSocket(fd, name, local, inet && stream && listening);
        }
        catch (final IOException | RuntimeException ex)
        {
            return new InheritedSocket(fd, name, null, false);
        }
    }

    /** True when sockets were passed to this process. */
    public boolean present()
    {
        return status == Status.OK && !sockets.isEmpty();
    }

    /**
     * The passed TCP listeners that serve a configured listener. A listener whose address is a literal
     * takes the sockets bound to exactly that address and port (one {@code gatehouse.socket} may hold
     * several VIP:ports under one {@code FileDescriptorName=}, so the name cannot decide). A listener
     * whose host is a DNS name takes the sockets whose {@code FileDescriptorName=} is the listener's name.
     * Several are returned when systemd was given several sockets for one address.
     */
    public List<InheritedSocket> forListener(final String listenerName, final HostPort address)
    {
        final Optional<InetSocketAddress> wanted = literal(address);
        final List<InheritedSocket> matching = new ArrayList<>();
        for (final InheritedSocket socket : sockets)
        {
            final boolean matches = wanted.isPresent() ? wanted.get().equals(socket.local()) : socket.name().equals(listenerName);
            if (socket.tcpListener() && matches)
            {
                matching.add(socket);
            }
        }
        return matching;
    }

    private static Optional<InetSocketAddress> literal(final HostPort address)
    {
        final String host = address.host();
        final boolean looksLiteral = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        if (!looksLiteral)
        {
            return Optional.empty();
        }
        try
        {
            return Optional.of(new InetSocketAddress(InetAddress.getByName(host), address.port()));
        }
        catch (final UnknownHostException ex)
        {
            return Optional.empty();
        }
    }

    /** Describes one passed descriptor. */
    @FunctionalInterface
    public interface Inspector
    {
        InheritedSocket inspect(int fd, String name);
    }
}
