package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.Await;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP_INFO's state on a real epoll socket tells a peer's reset from its FIN (what read(2) cannot here). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpStateTest
{
    private EventLoopGroup group;
    private Channel server;
    private CompletableFuture<Channel> accepted;

    @BeforeEach
    void bind() throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "epoll not available");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        accepted = new CompletableFuture<>();
        server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.AUTO_CLOSE, false)
            .childHandler(new ChannelInitializer<EpollSocketChannel>()
            {
                @Override
                protected void initChannel(final EpollSocketChannel channel)
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

    private boolean wasReset(final Channel channel) throws Exception
    {
        return channel.eventLoop().submit(() -> TcpState.wasReset(channel)).get();
    }

    private static String quietlyState(final EpollSocketChannel channel)
    {
        try
        {
            return String.valueOf(channel.tcpInfo().state());
        }
        catch (final RuntimeException ex)
        {
            return ex.toString();
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

    @Test
    void shouldSeeAResetWhenThePeerClosesWithUnreadData() throws Exception
    {
        try (Socket client = new Socket())
        {
            client.connect(server.localAddress());
            final Channel channel = accepted.get(5, TimeUnit.SECONDS);
            channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[4096])).sync();
            Await.until("the answer waits unread", () -> quietly(() -> client.getInputStream().available() > 0), () -> "nothing arrived");
            assertFalse(wasReset(channel), "open: ESTABLISHED");
            client.close(); // unread data: the kernel sends an RST
            Await.until("the reset is seen", () -> quietly(() -> wasReset(channel)), () -> "still not TCP_CLOSE: open=" + channel.isOpen() + " state="
                + quietlyState((EpollSocketChannel)channel));
        }
    }

    @Test
    void shouldNotSeeAResetAfterAFin() throws Exception
    {
        try (Socket client = new Socket())
        {
            client.connect(server.localAddress());
            final Channel channel = accepted.get(5, TimeUnit.SECONDS);
            client.shutdownOutput();
            Thread.sleep(200); // the FIN arrives; nothing more will
            assertFalse(wasReset(channel), "a FIN leaves CLOSE_WAIT");
            client.close(); // nothing unread: a FIN-closed peer closing is no reset either
            Thread.sleep(200);
            assertFalse(wasReset(channel));
        }
    }

    @Test
    void shouldNotAnswerForNonEpollOrClosedChannels() throws Exception
    {
        try (Socket client = new Socket())
        {
            client.connect(server.localAddress());
            final Channel channel = accepted.get(5, TimeUnit.SECONDS);
            channel.close().sync();
            assertFalse(TcpState.wasReset(channel));
            assertFalse(TcpState.wasReset(new io.netty.channel.embedded.EmbeddedChannel()));
        }
    }
}
