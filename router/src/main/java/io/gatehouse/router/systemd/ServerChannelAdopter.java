package io.gatehouse.router.systemd;

import io.gatehouse.router.config.RuntimeConfig.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import java.util.Locale;

/**
 * Turns an inherited listening descriptor into a Netty server channel, on the transports that can.
 *
 * <ul>
 *   <li><b>epoll</b>: yes, {@code new EpollServerSocketChannel(int fd)}. The channel is active from birth
 *       (the socket is already bound and listening), so it is registered, never bound:
 *       {@link #register(ServerBootstrap, ServerChannel)}.</li>
 *   <li><b>io_uring</b>: no. Netty 4.2.18's {@code IoUringServerSocketChannel} has only a no-argument
 *       constructor (the fd-taking one is package-private, over a package-private {@code LinuxSocket}).</li>
 *   <li><b>NIO</b>: no. Java 17 cannot wrap an arbitrary descriptor in a {@code ServerSocketChannel}
 *       ({@code System.inheritedChannel()} covers fd 0 only).</li>
 * </ul>
 *
 * So when sockets were inherited the router runs on epoll, and {@link #transportFor(Transport)} gives
 * the line to print at start when that differs from what the config asked for.
 *
 * <p>Control thread only, before the event loops accept; allocates freely.
 */
public final class ServerChannelAdopter
{
    private ServerChannelAdopter()
    {
    }

    /**
     * The outcome of adopting one descriptor.
     *
     * @param channel the server channel over the descriptor, or {@code null} when refused.
     * @param refusal why it was refused (a line for the log), or {@code null}.
     */
    public record Adoption(ServerChannel channel, String refusal)
    {
        public boolean adopted()
        {
            return channel != null;
        }
    }

    /**
     * The transport chosen when inherited sockets are present.
     *
     * @param transport what the event loops must run.
     * @param notice    a line to log at start when this is not what was asked for, else {@code null}.
     */
    public record TransportChoice(Transport transport, String notice)
    {
    }

    /** Why {@code transport} cannot adopt a descriptor, or {@code null} when it can. */
    public static String refusal(final Transport transport)
    {
        switch (transport)
        {
            case EPOLL:
                return Epoll.isAvailable() ? null : "epoll is unavailable here: " + Epoll.unavailabilityCause();
            case IO_URING:
                return "io_uring cannot adopt an inherited socket: Netty 4.2.18's IoUringServerSocketChannel has no public fd constructor";
            case NIO:
                return "NIO cannot adopt an inherited socket: Java 17 cannot wrap a descriptor in a ServerSocketChannel";
            default:
                return "transport AUTO must be resolved first: see transportFor(AUTO)";
        }
    }

    /**
     * The transport to run when inherited sockets are present: epoll whatever was asked, because only
     * epoll adopts a descriptor and accepted channels must live on the acceptor's transport.
     */
    public static TransportChoice transportFor(final Transport requested)
    {
        if (requested == Transport.EPOLL)
        {
            return new TransportChoice(Transport.EPOLL, null);
        }
        if (requested == Transport.AUTO && !IoUring.isAvailable())
        {
            return new TransportChoice(Transport.EPOLL, null);
        }
        final Transport refused = requested == Transport.AUTO ? Transport.IO_URING : requested;
        return new TransportChoice(
            Transport.EPOLL,
            refusal(refused) + "; running every listener on epoll so the systemd sockets are served (transport " +
                requested.name().toLowerCase(Locale.ROOT) + " was asked for)");
    }

    /** Wraps {@code socket}'s descriptor in a server channel of {@code transport}, or says why not. */
    public static Adoption adopt(final InheritedSocket socket, final Transport transport)
    {
        if (!socket.tcpListener())
        {
            return new Adoption(null, "inherited " + socket + " is not a listening TCP socket");
        }
        return adopt(socket.fd(), transport);
    }

    /** Wraps descriptor {@code fd}, a bound and listening TCP socket, in a server channel of {@code transport}. */
    public static Adoption adopt(final int fd, final Transport transport)
    {
        final String refusal = refusal(transport);
        if (refusal != null)
        {
            return new Adoption(null, refusal);
        }
        return new Adoption(new EpollServerSocketChannel(fd), null);
    }

    /**
     * Registers an adopted channel with a copy of {@code bootstrap} (its group, child group, handlers and
     * options); it starts accepting once registered, with no bind. The future fails if the group's
     * transport does not match the channel's.
     */
    public static ChannelFuture register(final ServerBootstrap bootstrap, final ServerChannel adopted)
    {
        final ChannelFactory<ServerChannel> factory = () -> adopted;
        return bootstrap.clone().channelFactory(factory).register();
    }
}
