package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.loop.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;

/**
 * A listening socket on one event loop of a real transport, its accepted channels set up as the router's
 * are (half-closure on, auto-close off), with {@code handler} (if any) on each one's pipeline; the first one
 * accepted is {@link #accepted()}. Skips the test where the transport is not available.
 */
final class OneLoopServer implements AutoCloseable
{
    private final EventLoopGroup group;
    private final Channel server;
    private final CompletableFuture<Channel> accepted;

    private OneLoopServer(final EventLoopGroup group, final Channel server, final CompletableFuture<Channel> accepted)
    {
        this.group = group;
        this.server = server;
        this.accepted = accepted;
    }

    static OneLoopServer bind(final Transport transport, final boolean autoRead, final ChannelHandler handler)
        throws InterruptedException
    {
        final CompletableFuture<Channel> accepted = new CompletableFuture<>();
        assumeTrue(transport.isAvailable(), transport + " not available");
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        final Channel server = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
            .childOption(ChannelOption.AUTO_READ, autoRead)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.AUTO_CLOSE, false)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    if (handler != null)
                    {
                        channel.pipeline().addLast(handler);
                    }
                    accepted.complete(channel);
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return new OneLoopServer(group, server, accepted);
    }

    /** The first channel accepted, once it is set up (waits up to 5 s). */
    Channel accepted() throws Exception
    {
        return accepted.get(5, TimeUnit.SECONDS);
    }

    SocketAddress address()
    {
        return server.localAddress();
    }

    @Override
    public void close()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
