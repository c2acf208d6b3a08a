import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2: shutdownGracefully(0, ...) issued while the loop runs a task ends the loop without closing its
 * channels. SingleThreadIoEventLoop.run() calls ioHandler.prepareToDestroy() (which closes every registered
 * channel) only when isShuttingDown() is already true after runIo(); a shutdown that starts later in the turn
 * is confirmed by confirmShutdown() at once with a zero quiet period, and the loop exits. The accepted sockets
 * are then never closed (the clients see no end) and whatever their pipelines hold is never released.
 *
 * Usage: java -cp CP ShutdownSkipsCloseAll epoll|nio ROUNDS
 * Prints how many of ROUNDS shutdowns left the accepted connection open.
 */
public final class ShutdownSkipsCloseAll
{
    public static void main(final String[] args) throws Exception
    {
        final boolean epoll = args.length == 0 || args[0].equals("epoll");
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int leftOpen = 0;
        for (int round = 0; round < rounds; round++)
        {
            final IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
            final Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            final CountDownLatch accepted = new CountDownLatch(1);
            final Channel server = new ServerBootstrap().group(group).channel(type)
                .childHandler(new ChannelInboundHandlerAdapter()
                {
                    @Override
                    public void channelActive(final io.netty.channel.ChannelHandlerContext ctx)
                    {
                        accepted.countDown();
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            final Socket client = new Socket();
            client.connect(server.localAddress());
            accepted.await(2, TimeUnit.SECONDS);
            server.close().sync();
            // The loop is busy in a task when the shutdown begins: it passed its isShuttingDown() check.
            final CountDownLatch running = new CountDownLatch(1);
            group.execute(() ->
            {
                running.countDown();
                try
                {
                    Thread.sleep(50);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            running.await();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            client.setSoTimeout(500);
            try
            {
                if (client.getInputStream().read() != -1)
                {
                    throw new IllegalStateException("unexpected bytes");
                }
            }
            catch (final SocketTimeoutException stillOpen)
            {
                leftOpen++;
            }
            catch (final java.net.SocketException reset)
            {
                // closed
            }
            client.close();
        }
        System.out.println((epoll ? "epoll" : "nio") + ": " + leftOpen + " of " + rounds
            + " shutdowns left the accepted connection open");
    }
}
