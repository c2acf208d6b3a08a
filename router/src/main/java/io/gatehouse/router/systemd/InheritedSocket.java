package io.gatehouse.router.systemd;

import java.net.InetSocketAddress;

/**
 * One file descriptor passed by the service manager.
 *
 * @param fd          the descriptor number (3, 4, ...).
 * @param name        its {@code FileDescriptorName=} (from {@code LISTEN_FDNAMES}), or {@code "unknown"}
 *                    when none was given, as {@code sd_listen_fds_with_names(3)} reports it.
 * @param local       the address it is bound to, or {@code null} when it is not a TCP socket.
 * @param tcpListener true when it is an IPv4/IPv6 stream socket in the listening state: the only kind
 *                    the router adopts.
 */
public record InheritedSocket(int fd, String name, InetSocketAddress local, boolean tcpListener)
{
    @Override
    public String toString()
    {
        return "fd " + fd + " (" + name + (local != null ? " " + local : "") + (tcpListener ? "" : ", not a TCP listener") + ")";
    }
}
