package io.gatehouse.router.relay;

import io.gatehouse.router.listen.RawListenSocket;
import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.session.ClientEvents;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A splice relay between two blocking JDK sockets on loopback: a Netty epoll server accepts the client,
 * connects an epoll channel to the backend on the same loop, writes an optional first flight to the
 * backend (as the router writes the peeked bytes) and hands both channels to {@link SpliceRelay}.
 */
final class SpliceTestBed implements AutoCloseable
{
    /** Pseudo-random source bytes the streams are cut from, so that a misplaced byte changes the CRC. */
    static final byte[] NOISE = new byte[(1 << 20) + 4099];

    static
    {
        new SplittableRandom(4).nextBytes(NOISE);
    }

    final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    final ServerSocket backendServer;
    /** The listening channel, or {@code null} with {@link #rawFront}. */
    final Channel front;
    /** With raw clients, the channel-less listening socket (the router's on epoll), else {@code null}. */
    final RawListenSocket rawFront;
    final BlockingQueue<Relayed> relayed = new LinkedBlockingQueue<>();
    final AtomicLong fakeNowNs = new AtomicLong();
    final AtomicLong allocations = new AtomicLong();
    volatile long idleTimeoutNs;
    volatile boolean fakeClock;
    volatile byte[] firstFlight;
    private final boolean copy;
    private final boolean rawBackend;
    private final boolean rawClient;

    /** @param copy relay through pooled buffers (recv/send) instead of pipes (splice). */
    SpliceTestBed(final boolean copy) throws Exception
    {
        this(copy, false);
    }

    /**
     * @param copy       relay through pooled buffers (recv/send) instead of pipes (splice).
     * @param rawBackend connect the backend with a {@link RawBackendSocket} (no channel) and hand the first
     *                   flight to the relay, as the router does; else a Netty channel that writes it.
     */
    SpliceTestBed(final boolean copy, final boolean rawBackend) throws Exception
    {
        this(copy, rawBackend, false);
    }

    /**
     * @param rawClient accept with the router's channel-less listening socket: every client a
     *                  {@link RawClientSocket}, its registration adopted by the relay (then the backend is a
     *                  {@link RawBackendSocket} too, as in the router).
     */
    SpliceTestBed(final boolean copy, final boolean rawBackend, final boolean rawClient) throws Exception
    {
        this.copy = copy;
        this.rawBackend = rawBackend || rawClient;
        this.rawClient = rawClient;
        backendServer = new ServerSocket();
        backendServer.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        final ByteBufAllocator counting = new CountingAllocator(allocations);
        if (rawClient)
        {
            final Worker worker = new Worker(0, loop.next(), Transport.EPOLL, SystemNanoClock.INSTANCE);
            rawFront = RawListenSocket.bind(worker, "bed", client -> client.start(new RawFront(client)),
                new InetSocketAddress("127.0.0.1", 0), 1024, 0);
            front = null;
            return;
        }
        rawFront = null;
        front = new ServerBootstrap()
            .group(loop)
            .channel(EpollServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, counting)
            .childHandler(new FrontHandler(counting))
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    InetSocketAddress frontAddress()
    {
        return rawFront != null ? rawFront.localAddress() : (InetSocketAddress)front.localAddress();
    }

    /** A client connected through the relay, and the backend socket the relay connected to. */
    Pair connect() throws IOException
    {
        final Socket client = new Socket();
        client.connect(frontAddress(), 5_000);
        client.setSoTimeout(30_000);
        final Socket backend = backendServer.accept();
        backend.setSoTimeout(30_000);
        return new Pair(client, backend);
    }

    Relayed nextRelayed() throws InterruptedException
    {
        final Relayed next = relayed.poll(10, TimeUnit.SECONDS);
        assertNotNull(next, "no relay started");
        return next;
    }

    <T> T onLoop(final Callable<T> task) throws Exception
    {
        return loop.next().submit(task).get(10, TimeUnit.SECONDS);
    }

    int idlePipes() throws Exception
    {
        return onLoop(() -> SpliceLoop.current().pipes().idleCount());
    }

    RelayBufferPool buffers() throws Exception
    {
        return onLoop(() -> SpliceLoop.current().buffers());
    }

    int liveRelays() throws Exception
    {
        return onLoop(() -> SpliceLoop.current().liveCount());
    }

    @Override
    public void close() throws IOException
    {
        if (rawFront != null)
        {
            rawFront.closeFromControl();
        }
        else
        {
            front.close().syncUninterruptibly();
        }
        backendServer.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static long openFds() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    /**
     * The pipes and sockets this process has open now, as {@code fd -> pipe:[inode]} lines. Comparing two
     * of these finds descriptors opened in between and still open, whatever else in the JVM closes at the
     * same time (a plain count also moves when an earlier test's sockets finish closing).
     */
    static Set<String> openPipesAndSockets() throws IOException
    {
        final Set<String> open = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("pipe:") || target.startsWith("socket:"))
                    {
                        open.add(fd.getFileName() + " -> " + target);
                    }
                }
                catch (final IOException ex)
                {
                    // closed between the listing and the read: not open
                }
            }
        }
        return open;
    }

    static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Writes {@code length} bytes of {@link #NOISE} from {@code seed}; returns their CRC32C. */
    static long writeStream(final OutputStream out, final long length, final int seed) throws IOException
    {
        final CRC32C crc = new CRC32C();
        int offset = Math.floorMod(seed * 7919, 4099);
        long left = length;
        while (left > 0)
        {
            final int chunk = (int)Math.min(left, 1 << 16);
            out.write(NOISE, offset, chunk);
            crc.update(NOISE, offset, chunk);
            left -= chunk;
            offset = (offset + 13) % 4099;
        }
        out.flush();
        return crc.getValue();
    }

    /** Reads to end of stream; returns {count, CRC32C}. */
    static long[] readToEnd(final InputStream in) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final byte[] buffer = new byte[1 << 16];
        long count = 0;
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            crc.update(buffer, 0, read);
            count += read;
        }
        return new long[] {count, crc.getValue()};
    }

    static void assertStream(final long expectedLength, final long expectedCrc, final long[] received)
    {
        assertEquals(expectedLength, received[0], "bytes received before EOF");
        assertEquals(expectedCrc, received[1], "CRC32C of the bytes received");
    }

    record Pair(Socket client, Socket backend) implements AutoCloseable
    {
        @Override
        public void close() throws IOException
        {
            client.close();
            backend.close();
        }
    }

    /** One relayed connection as the test sees it. */
    static final class Relayed implements RelayObserver
    {
        final AtomicReference<SpliceConnection> connection = new AtomicReference<>();
        final AtomicReference<String> reason = new AtomicReference<>();
        volatile long clientToBackend;
        volatile long backendToClient;

        @Override
        public void onBytes(final long clientToBackend, final long backendToClient)
        {
            this.clientToBackend += clientToBackend;
            this.backendToClient += backendToClient;
        }

        @Override
        public void onClosed(final String reason)
        {
            assertTrue(this.reason.compareAndSet(null, reason), "closed twice");
        }

        String awaitClosed() throws InterruptedException
        {
            await("relay close", 20_000, () -> reason.get() != null);
            return reason.get();
        }
    }

    @ChannelHandler.Sharable
    private final class FrontHandler extends ChannelInboundHandlerAdapter
    {
        private final ByteBufAllocator allocator;

        FrontHandler(final ByteBufAllocator allocator)
        {
            this.allocator = allocator;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            final Channel client = ctx.channel();
            final EventLoop eventLoop = client.eventLoop();
            if (rawBackend)
            {
                connectRaw(client, null, eventLoop);
                return;
            }
            final ChannelFuture connect = new Bootstrap()
                .group(eventLoop)
                .channel(EpollSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, allocator)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(backendServer.getLocalSocketAddress());
            connect.addListener(done ->
            {
                if (!done.isSuccess())
                {
                    client.close();
                    return;
                }
                final Channel backend = connect.channel();
                final byte[] first = firstFlight;
                if (first != null)
                {
                    backend.writeAndFlush(Unpooled.wrappedBuffer(first));
                }
                final Relayed observer = new Relayed();
                final NanoClock clock = fakeClock ? fakeNowNs::get : System::nanoTime;
                observer.connection.set(SpliceRelay.open(client, backend, idleTimeoutNs, 0, clock, observer, copy));
                relayed.add(observer);
            });
        }
    }

    /** A raw client's stages: connect the raw backend at once (no peek), then relay both raw sockets. */
    private final class RawFront implements ClientEvents
    {
        private final RawClientSocket client;

        RawFront(final RawClientSocket client)
        {
            this.client = client;
        }

        @Override
        public void onStart()
        {
            connectRaw(null, client, client.loop());
        }

        @Override
        public void onRead(final ByteBuf bytes)
        {
            bytes.release(); // never asked for: the relay reads
        }

        @Override
        public void onReadComplete()
        {
        }

        @Override
        public void onInputShutdown()
        {
        }

        @Override
        public void onClosed()
        {
        }

        @Override
        public void onError()
        {
            client.close();
        }
    }

    /** Connects a raw backend for the client (its channel, or its raw socket) and relays the two once it connects. */
    private void connectRaw(final Channel client, final RawClientSocket rawClient, final EventLoop eventLoop)
    {
        final Runnable closeClient = client != null ? client::close : rawClient::close;
        final RawBackendSocket.Listener listener = new RawBackendSocket.Listener()
        {
            @Override
            public void onConnected(final RawBackendSocket socket)
            {
                final byte[] first = firstFlight;
                final ByteBuf flight = first == null ? null : Unpooled.directBuffer(first.length).writeBytes(first);
                final Relayed observer = new Relayed();
                final NanoClock clock = fakeClock ? fakeNowNs::get : System::nanoTime;
                observer.connection.set(SpliceRelay.open(client, rawClient, null, socket, flight, idleTimeoutNs, 0, clock, observer, copy));
                relayed.add(observer);
            }

            @Override
            public void onConnectFailed(final RawBackendSocket socket, final IOException cause)
            {
                closeClient.run();
            }
        };
        try
        {
            RawBackendSocket.connect(eventLoop, (InetSocketAddress)backendServer.getLocalSocketAddress(), listener);
        }
        catch (final IOException failed)
        {
            closeClient.run();
        }
    }

    /** Counts every buffer the relay's channels allocate: the splice path must allocate none. */
    private static final class CountingAllocator extends io.netty.buffer.AbstractByteBufAllocator
    {
        private final AtomicLong count;

        CountingAllocator(final AtomicLong count)
        {
            super(true);
            this.count = count;
        }

        @Override
        protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity)
        {
            count.incrementAndGet();
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity)
        {
            count.incrementAndGet();
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled()
        {
            return false;
        }
    }
}
