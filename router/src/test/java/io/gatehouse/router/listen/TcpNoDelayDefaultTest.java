package io.gatehouse.router.listen;

import io.gatehouse.router.loop.Transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.LeakGuard;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The router sets no TCP_NODELAY option on accepted or backend sockets because each transport's
 * socket config turns it on when the channel is made: the option would be a second setsockopt per
 * socket. This holds that default on real loopback sockets (the option is read back from the kernel
 * with getsockopt on epoll and io_uring, from the JDK socket on NIO), so a Netty upgrade that drops
 * it fails here, not silently in latency.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpNoDelayDefaultTest
{
    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldHaveTcpNoDelayOnAcceptedAndConnectingSocketsWithoutTheOption(final Transport transport) throws Exception
    {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        try
        {
            final CompletableFuture<Boolean> accepted = new CompletableFuture<>();
            final Channel server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInboundHandlerAdapter()
                {
                    @Override
                    public void channelActive(final ChannelHandlerContext ctx)
                    {
                        // read while both ends are open; the accepted socket closes with the server's group
                        accepted.complete(ctx.channel().config().getOption(ChannelOption.TCP_NODELAY));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            final Channel client = new Bootstrap()
                .group(group)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
            assertEquals(Boolean.TRUE, client.config().getOption(ChannelOption.TCP_NODELAY), "connecting socket on " + transport);
            assertTrue(accepted.get(10, TimeUnit.SECONDS), "accepted socket on " + transport);
            client.close().sync();
            server.close().sync();
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
