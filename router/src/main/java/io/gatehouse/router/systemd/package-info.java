/**
 * Living under systemd: the {@code sd_notify} protocol ({@link io.gatehouse.router.systemd.SystemdNotifier}),
 * sockets passed by socket activation ({@link io.gatehouse.router.systemd.InheritedSockets}, the
 * {@code LISTEN_PID}/{@code LISTEN_FDS}/{@code LISTEN_FDNAMES} convention of {@code sd_listen_fds(3)}),
 * and turning an inherited listening fd into a Netty server channel
 * ({@link io.gatehouse.router.systemd.ServerChannelAdopter}).
 *
 * <p>Control path only: the main/control thread reads the environment once at start, adopts the
 * sockets before the event loops start accepting, and sends notify datagrams at start, reload, drain
 * and on the watchdog tick. Nothing here runs on an event loop's data path; it allocates freely.
 *
 * <p>Socket activation and SO_REUSEPORT: systemd owns ONE listening socket per {@code ListenStream=}
 * line. Adopting it gives one server channel, so one event loop accepts on it and hands each accepted
 * connection to the child group's loops in turn (Netty's {@code ServerBootstrapAcceptor}). The
 * per-loop SO_REUSEPORT sockets of a plain {@code bind} are not used for that address: a socket the
 * router bound itself dies with the process and takes its queued connections with it, which is what
 * socket activation exists to prevent. To spread accepts over several loops, give systemd several
 * sockets for one address (see systemd/README.md); each adopted fd gets its own accepting loop.
 */
package io.gatehouse.router.systemd;
