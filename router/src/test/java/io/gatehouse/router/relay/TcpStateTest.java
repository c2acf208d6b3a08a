package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.loop.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TCP_INFO's state on real epoll and io_uring sockets tells a peer's reset from its FIN (what read(2) cannot
 * here).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpStateTest
{
    private static final int TCP_ESTABLISHED = 1;
    private static final int TCP_CLOSE_WAIT = 8;

    private EventLoopGroup group;
    private Channel server;
    private CompletableFuture<Channel> accepted;

    private void bind(final Transport transport) throws Exception
    {
        assumeTrue(transport.isAvailable(), transport + " not available");
        final boolean epoll = transport == Transport.EPOLL;
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory());
        accepted = new CompletableFuture<>();
        server = new ServerBootstrap().group(group).channel(epoll ? EpollServerSocketChannel.class : IoUringServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.AUTO_CLOSE, false)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    accepted.complete(channel);
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void close()
    {
        if (group != null)
        {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static int state(final Channel channel)
    {
        try
        {
            return channel.eventLoop().submit(() -> TcpState.state(channel)).get();
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static boolean quietly(final java.util.concurrent.Callable<Boolean> check)
    {
        try
        {
            return check.call();
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void shouldSeeAResetWhenThePeerClosesWithUnreadData(final Transport transport) throws Exception
    {
        bind(transport);
        try (Socket client = new Socket())
        {
            client.connect(server.localAddress());
            final Channel channel = accepted.get(5, TimeUnit.SECONDS);
            channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[4096])).sync();
            Await.until("the answer waits unread", () -> quietly(() -> client.getInputStream().available() > 0), () -> "nothing arrived");
            assertEquals(TCP_ESTABLISHED, state(channel), "open: ESTABLISHED");
            client.close(); // unread data: the kernel sends an RST
            Await.until("the reset is seen", () -> state(channel) == TcpState.TCP_CLOSE,
                () -> "still not TCP_CLOSE: open=" + channel.isOpen() + " state=" + state(channel));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void shouldNotSeeAResetAfterAFin(final Transport transport) throws Exception
    {
        bind(transport);
        try (Socket client = new Socket())
        {
            client.connect(server.localAddress());
            final Channel channel = accepted.get(5, TimeUnit.SECONDS);
            client.shutdownOutput();
            Await.until("the FIN arrives", () -> state(channel) == TCP_CLOSE_WAIT, () -> "state " + state(channel));
            client.close(); // nothing unread: a FIN-closed peer closing is no reset either
            Thread.sleep(200);
            assertFalse(TcpState.TCP_CLOSE == state(channel), "state " + state(channel));
        }
    }

    @Test
    void shouldNotAnswerForNioOrClosedChannels() throws Exception
    {
        bind(Transport.EPOLL);
        try (Socket client = new Socket())
        {
            client.connect(server.localAddress());
            final Channel channel = accepted.get(5, TimeUnit.SECONDS);
            channel.close().sync();
            assertEquals(-1, TcpState.state(channel));
            assertFalse(TcpState.wasReset(new io.netty.channel.embedded.EmbeddedChannel()));
        }
    }
}
