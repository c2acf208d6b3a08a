package io.gatehouse.router.relay.bench;

import io.gatehouse.router.relay.RelayObserver;
import io.gatehouse.router.relay.SpliceRelay;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time per GiB relayed and throughput: the splice relay vs a minimal buffer hand-off copy relay on
 * epoll, and the copy relay on io_uring and NIO, in one run, interleaved round by round.
 *
 * <p>Not JMH: what is measured is seconds of CPU over multi-second transfers through real loopback
 * sockets. One relay event loop thread; the client (writer) and backend (reader) are two blocking JDK
 * socket threads in the same JVM. Per transfer the client writes {@code bytes} then FIN, the backend
 * reads to EOF. Reported per mode (median of rounds, with min-max): relay thread CPU s/GiB (thread CPU
 * clock, user+sys), relay-side process CPU s/GiB (process CPU minus the two peer threads: adds GC, JIT
 * and any io_uring kernel workers), and throughput.
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$(cat cp.txt):router/target/test-classes:router/target/classes" \
 *   io.gatehouse.router.relay.bench.SpliceRelayBenchmark [GiBPerTransfer=1] [rounds=5]
 * </pre>
 */
public final class SpliceRelayBenchmark
{
    private static final int CHUNK_BYTES = 256 << 10;

    private SpliceRelayBenchmark()
    {
    }

    enum Mode
    {
        SPLICE_EPOLL, COPY_EPOLL, COPY_IO_URING, COPY_NIO
    }

    public static void main(final String[] args) throws Exception
    {
        final double gib = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final long bytes = (long)(gib * (1L << 30));
        final List<Mode> modes = new ArrayList<>();
        for (final Mode mode : Mode.values())
        {
            if (mode == Mode.SPLICE_EPOLL && !SpliceRelay.isAvailable())
            {
                System.out.println("skip " + mode + ": splice not available");
            }
            else if (mode == Mode.COPY_IO_URING && !IoUring.isAvailable())
            {
                System.out.println("skip " + mode + ": " + IoUring.unavailabilityCause());
            }
            else
            {
                modes.add(mode);
            }
        }
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        final byte[] chunk = new byte[CHUNK_BYTES];
        Arrays.fill(chunk, (byte)'x');

        final List<Bed> beds = new ArrayList<>();
        for (final Mode mode : modes)
        {
            beds.add(new Bed(mode));
        }
        for (final Bed bed : beds)
        {
            bed.transfer(bytes / 4, chunk, threads, os); // warm up
        }
        final double[][] relayCpu = new double[beds.size()][rounds];
        final double[][] sideCpu = new double[beds.size()][rounds];
        final double[][] gibPerS = new double[beds.size()][rounds];
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < beds.size(); i++)
            {
                final double[] r = beds.get(i).transfer(bytes, chunk, threads, os);
                relayCpu[i][round] = r[0] / gib;
                sideCpu[i][round] = r[1] / gib;
                gibPerS[i][round] = gib / r[2];
            }
        }
        System.out.printf(Locale.ROOT, "%d rounds x %.2f GiB per mode, one connection, 1 relay thread%n", rounds, gib);
        System.out.printf(Locale.ROOT, "| %-14s | %-32s | %-32s | %-26s |%n",
            "mode", "relay thread CPU s/GiB (min-max)", "relay side CPU s/GiB (min-max)", "GiB/s (min-max)");
        System.out.println("|---|---|---|---|");
        for (int i = 0; i < beds.size(); i++)
        {
            System.out.printf(Locale.ROOT, "| %-14s | %s | %s | %s |%n",
                beds.get(i).mode, stat(relayCpu[i]), stat(sideCpu[i]), stat(gibPerS[i]));
        }
        for (final Bed bed : beds)
        {
            bed.close();
        }
    }

    private static String stat(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.3f (%.3f-%.3f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    /** One relay (transport x mode) with its listening front and a backend listener. */
    private static final class Bed
    {
        final Mode mode;
        final EventLoopGroup group;
        final Channel front;
        final ServerSocket backendServer;
        final long relayThreadId;

        Bed(final Mode mode) throws Exception
        {
            this.mode = mode;
            final IoHandlerFactory factory;
            final Class<? extends ServerChannel> serverType;
            final Class<? extends Channel> socketType;
            switch (mode)
            {
                case COPY_IO_URING:
                    factory = IoUringIoHandler.newFactory();
                    serverType = IoUringServerSocketChannel.class;
                    socketType = IoUringSocketChannel.class;
                    break;
                case COPY_NIO:
                    factory = NioIoHandler.newFactory();
                    serverType = NioServerSocketChannel.class;
                    socketType = NioSocketChannel.class;
                    break;
                default:
                    factory = EpollIoHandler.newFactory();
                    serverType = EpollServerSocketChannel.class;
                    socketType = EpollSocketChannel.class;
                    break;
            }
            group = new MultiThreadIoEventLoopGroup(1, factory);
            relayThreadId = group.next().submit(() -> Thread.currentThread().getId()).get();
            backendServer = new ServerSocket();
            backendServer.bind(new InetSocketAddress("127.0.0.1", 0));
            final boolean splice = mode == Mode.SPLICE_EPOLL;
            front = new ServerBootstrap()
                .group(group)
                .channel(serverType)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new Front(splice, socketType))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        }

        @io.netty.channel.ChannelHandler.Sharable
        private final class Front extends ChannelInboundHandlerAdapter
        {
                    private final boolean splice;
                    private final Class<? extends Channel> socketType;

                    Front(final boolean splice, final Class<? extends Channel> socketType)
                    {
                        this.splice = splice;
                        this.socketType = socketType;
                    }

                    @Override
                    public void channelActive(final ChannelHandlerContext ctx)
                    {
                        final Channel client = ctx.channel();
                        new Bootstrap()
                            .group(client.eventLoop())
                            .channel(socketType)
                            .option(ChannelOption.AUTO_READ, false)
                            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                            .option(ChannelOption.TCP_NODELAY, true)
                            .handler(new ChannelInboundHandlerAdapter())
                            .connect(backendServer.getLocalSocketAddress())
                            .addListener((ChannelFutureListener)connected ->
                            {
                                final Channel backend = connected.channel();
                                if (!connected.isSuccess())
                                {
                                    client.close();
                                }
                                else if (splice)
                                {
                                    SpliceRelay.start(client, backend, 0, new Quiet());
                                }
                                else
                                {
                                    client.pipeline().addLast(new HandOff(backend));
                                    backend.pipeline().addLast(new HandOff(client));
                                    client.read();
                                    backend.read();
                                }
                            });
                    }
        }

        /** @return {relay thread CPU s, relay side process CPU s, wall s}. */
        double[] transfer(final long bytes, final byte[] chunk, final ThreadMXBean threads,
            final com.sun.management.OperatingSystemMXBean os) throws Exception
        {
            final Socket client = new Socket();
            client.connect(front.localAddress());
            backendServer.setSoTimeout(10_000);
            final Socket backend;
            try
            {
                backend = backendServer.accept();
            }
            catch (final java.net.SocketTimeoutException ex)
            {
                throw new IllegalStateException(mode + ": the relay did not connect to the backend", ex);
            }
            final AtomicLong writerCpuNs = new AtomicLong();
            final CountDownLatch go = new CountDownLatch(1);
            final Thread writer = new Thread(() ->
            {
                try (OutputStream out = client.getOutputStream())
                {
                    go.await();
                    final long cpu0 = threads.getCurrentThreadCpuTime();
                    long left = bytes;
                    while (left > 0)
                    {
                        final int n = (int)Math.min(left, chunk.length);
                        out.write(chunk, 0, n);
                        left -= n;
                    }
                    client.shutdownOutput();
                    writerCpuNs.set(threads.getCurrentThreadCpuTime() - cpu0);
                }
                catch (final Exception ex)
                {
                    ex.printStackTrace();
                }
            }, "bench-client");
            writer.start();
            final long readerCpu0 = threads.getCurrentThreadCpuTime();
            final long relayCpu0 = threads.getThreadCpuTime(relayThreadId);
            final long process0 = os.getProcessCpuTime();
            final long wall0 = System.nanoTime();
            go.countDown();
            long received = 0;
            final byte[] buffer = new byte[CHUNK_BYTES];
            try (InputStream in = backend.getInputStream())
            {
                int n;
                while ((n = in.read(buffer)) >= 0)
                {
                    received += n;
                }
            }
            final long wallNs = System.nanoTime() - wall0;
            writer.join();
            final long writerCpu = writerCpuNs.get();
            final long relayCpu = threads.getThreadCpuTime(relayThreadId) - relayCpu0;
            final long readerCpu = threads.getCurrentThreadCpuTime() - readerCpu0;
            final long processCpu = os.getProcessCpuTime() - process0;
            backend.close();
            client.close();
            if (received != bytes)
            {
                throw new IllegalStateException(mode + ": received " + received + " of " + bytes);
            }
            return new double[] {relayCpu / 1e9, (processCpu - readerCpu - writerCpu) / 1e9, wallNs / 1e9};
        }

        void close() throws Exception
        {
            front.close().sync();
            backendServer.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The minimal copy relay: the buffer read from one side is written to the other, as is. */
    private static final class HandOff extends ChannelInboundHandlerAdapter
    {
        private final Channel peer;

        HandOff(final Channel peer)
        {
            this.peer = peer;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            peer.write(msg, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            peer.flush();
            if (peer.isWritable())
            {
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            if (ctx.channel().isWritable())
            {
                peer.read();
            }
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (evt instanceof ChannelInputShutdownEvent)
            {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener((ChannelFutureListener)f -> ((DuplexChannel)peer).shutdownOutput());
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            peer.close();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
            peer.close();
        }
    }

    private static final class Quiet implements RelayObserver
    {
        @Override
        public void onBytes(final long clientToBackend, final long backendToClient)
        {
        }

        @Override
        public void onClosed(final String reason)
        {
        }
    }
}
