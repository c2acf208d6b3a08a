package io.gatehouse.router.systemd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;

/** A Netty echo server's bootstrap on epoll, for serving through adopted descriptors in tests. */
final class EchoServer
{
    private EchoServer()
    {
    }

    static EventLoopGroup newGroup(final int threads)
    {
        return new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
    }

    static ServerBootstrap bootstrap(final EventLoopGroup group)
    {
        return new ServerBootstrap().group(group).childHandler(new Echo());
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
