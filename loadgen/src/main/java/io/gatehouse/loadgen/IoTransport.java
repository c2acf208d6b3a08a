package io.gatehouse.loadgen;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;

/**
 * The Netty transport the load generator and its backends run on: native epoll where it loads, NIO
 * otherwise. Control path only.
 */
public enum IoTransport
{
    EPOLL, NIO;

    /** Epoll when the native library loads on this host, else NIO. */
    public static IoTransport best()
    {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /**
     * @param text {@code auto}, {@code epoll} or {@code nio} (any case).
     * @return the transport; {@code auto} is {@link #best()}.
     * @throws IllegalArgumentException for anything else, or epoll where it does not load.
     */
    public static IoTransport parse(final String text)
    {
        final String lower = text.toLowerCase(Locale.ROOT);
        switch (lower)
        {
            case "auto":
                return best();
            case "epoll":
                if (!Epoll.isAvailable())
                {
                    throw new IllegalArgumentException("epoll is not available here: " + Epoll.unavailabilityCause());
                }
                return EPOLL;
            case "nio":
                return NIO;
            default:
                throw new IllegalArgumentException("unknown transport '" + text + "' (auto, epoll, nio)");
        }
    }

    public EventLoopGroup newGroup(final int threads, final String threadName)
    {
        final IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), factory);
    }

    public Class<? extends SocketChannel> socketChannel()
    {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerChannel> serverChannel()
    {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
