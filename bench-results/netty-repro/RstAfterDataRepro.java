import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.*;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server with auto-read off and half-closure allowed answers, shuts its output, reads on. The client
 * reads to EOF, writes a few bytes and resets (SO_LINGER 0). Every server channel should go inactive.
 */
public final class RstAfterDataRepro {
    static final java.util.Map<Channel, StringBuilder> TRACE = new java.util.concurrent.ConcurrentHashMap<>();
    static void t(ChannelHandlerContext c, String e) { TRACE.computeIfAbsent(c.channel(), k -> new StringBuilder()).append(e).append(' '); }
    public static void main(String[] args) throws Exception {
        String transport = args.length > 0 ? args[0] : "io_uring";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        boolean shut = args.length <= 2 || !args[2].equals("noshut");
        IoHandlerFactory factory = transport.equals("io_uring") ? IoUringIoHandler.newFactory()
            : transport.equals("epoll") ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> server = transport.equals("io_uring") ? IoUringServerSocketChannel.class
            : transport.equals("epoll") ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger inputShutdown = new AtomicInteger();
        AtomicInteger exceptions = new AtomicInteger();
        try {
            Channel listener = new ServerBootstrap().group(group).channel(server)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override public boolean isSharable() { return true; }
                    @Override public void channelActive(ChannelHandlerContext ctx) { t(ctx,"active"); open.incrementAndGet(); ctx.read(); }
                    @Override public void channelInactive(ChannelHandlerContext ctx) { t(ctx,"inactive"); open.decrementAndGet(); TRACE.remove(ctx.channel()); }
                    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        t(ctx,"read"+((ByteBuf)msg).readableBytes()); ReferenceCountUtil.release(msg);
                        if (!((DuplexChannel)ctx.channel()).isOutputShutdown()) {
                            ctx.writeAndFlush(Unpooled.copiedBuffer(new byte[] {'h', 'e', 'l', 'l', 'o', '\n'}))
                                .addListener(f -> { if (shut) ((DuplexChannel)ctx.channel()).shutdownOutput(); });
                        }
                    }
                    @Override public void channelReadComplete(ChannelHandlerContext ctx) { t(ctx,"rc"); ctx.read(); }
                    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        t(ctx, evt.getClass().getSimpleName()); if (evt instanceof ChannelInputShutdownEvent) { inputShutdown.incrementAndGet(); ctx.close(); }
                    }
                    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        t(ctx,"exc:"+cause); exceptions.incrementAndGet(); ctx.close();
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            InetSocketAddress address = (InetSocketAddress)listener.localAddress();
            byte[] buffer = new byte[64];
            for (int i = 0; i < count; i++) {
                try (Socket socket = new Socket()) {
                    socket.connect(address, 2000);
                    socket.setSoTimeout(2000);
                    OutputStream out = socket.getOutputStream();
                    out.write(new byte[] {'h', 'i'});
                    InputStream in = socket.getInputStream();
                    int got = 0; while (got < 6) { int r = in.read(buffer); if (r < 0) break; got += r; }
                    out.write(new byte[] {1, 2, 3, 4, 5});
                    socket.setSoLinger(true, 0);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (open.get() > 0 && System.nanoTime() < deadline) { Thread.sleep(50); }
            System.out.println(transport + ": " + count + " connections, " + open.get() + " server channels still open after 5 s"
                + " (input shutdown seen " + inputShutdown.get() + ", exceptions " + exceptions.get() + ")");
            int shown = 0; for (var e : TRACE.entrySet()) { if (shown++ < 5) System.out.println(e.getValue()); }
            listener.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
