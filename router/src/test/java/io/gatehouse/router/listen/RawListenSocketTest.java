package io.gatehouse.router.listen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.relay.RawClientSocket;
import io.gatehouse.router.session.ClientEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channel-less listening and accepted sockets on a real epoll loop, with real client sockets: what the
 * accept gives (the addresses, TCP_NODELAY inherited from the listening socket, no setsockopt of its own),
 * the peek's edge-triggered reads (every byte, split reads, the FIN), a socket that is not being read
 * (its backend connecting) noticing its client's reset, the reject reply, and every descriptor closed once.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RawListenSocketTest
{
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;

    private EventLoopGroup group;
    private Worker worker;
    private RawListenSocket listening;
    private final BlockingQueue<RawClientSocket> accepted = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "epoll not available here");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        worker = new Worker(0, group.next(), Transport.EPOLL, SystemNanoClock.INSTANCE);
        listening = RawListenSocket.bind(worker, "test", accepted::add, new InetSocketAddress("127.0.0.1", 0), 64, 0);
    }

    @AfterEach
    void stop() throws Exception
    {
        if (listening != null)
        {
            listening.closeFromControl();
        }
        if (group != null)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void shouldAcceptWithTheAddressesAndTcpNoDelayAndReadEveryByteToTheFin() throws Exception
    {
        final long fdsBefore = openFds();
        try (Socket client = new Socket())
        {
            client.connect(listening.localAddress());
            final RawClientSocket raw = accepted.poll(10, TimeUnit.SECONDS);
            assertEquals(listening.localAddress(), raw.localAddress(), "the listener's bound address, no getsockname");
            assertEquals(client.getLocalSocketAddress(), raw.remoteAddress());
            final Recorder events = new Recorder(raw, true);
            worker.loop().submit(() -> raw.start(events)).sync();
            assertTrue(worker.loop().submit(raw::tcpNoDelay).get(), "inherited from the listening socket");

            final byte[] first = "GET / HTTP/1.1\r\nHost: a".getBytes(StandardCharsets.US_ASCII);
            final byte[] rest = new byte[70_000];
            for (int i = 0; i < rest.length; i++)
            {
                rest[i] = (byte)i;
            }
            client.getOutputStream().write(first);
            client.getOutputStream().flush();
            Thread.sleep(50);
            client.getOutputStream().write(rest);
            client.shutdownOutput();
            assertTrue(events.inputDone.await(), "the FIN is seen");
            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(first);
            expected.write(rest);
            assertArrayEquals(expected.toByteArray(), events.bytes(), "every byte, in order, over several reads");
            assertTrue(events.reads.get() >= 2, "split reads: " + events.reads.get());

            worker.loop().submit(raw::close).sync();
            assertEquals(1, events.closed.get(), "the events hear the close once");
            assertEquals(1, events.closeTasks.get(), "the close task runs once");
            assertEquals(-1, client.getInputStream().read(), "the client sees the close");
        }
        assertEquals(fdsBefore, openFds(), "no descriptor left");
    }

    @Test
    void shouldCloseASocketNotBeingReadWhenItsClientResets() throws Exception
    {
        final Socket client = new Socket();
        client.connect(listening.localAddress());
        final RawClientSocket raw = accepted.poll(10, TimeUnit.SECONDS);
        // reads the first bytes, then asks for no more: as the sequencer does while the backend connects
        final Recorder events = new Recorder(raw, false);
        worker.loop().submit(() -> raw.start(events)).sync();
        client.getOutputStream().write(new byte[] {1, 2, 3});
        assertTrue(events.firstRead.await(), "the first bytes are read");
        client.getOutputStream().write(new byte[] {4, 5, 6}); // not read: no read was asked for
        client.shutdownOutput(); // a FIN is not a reset: nothing happens
        Thread.sleep(100);
        assertEquals(0, events.closed.get());
        assertTrue(worker.loop().submit(raw::isOpen).get());
        client.setSoLinger(true, 0);
        client.close(); // RST
        assertTrue(events.closedLatch.await(), "the reset closes it");
        assertArrayEquals(new byte[] {1, 2, 3}, events.bytes(), "bytes sent after the reads stopped were not read");
        assertEquals(1, events.closeTasks.get());
    }

    @Test
    void shouldSendTheReplyThenClose() throws Exception
    {
        try (Socket client = new Socket())
        {
            client.connect(listening.localAddress());
            final RawClientSocket raw = accepted.poll(10, TimeUnit.SECONDS);
            final Recorder events = new Recorder(raw, true);
            worker.loop().submit(() -> raw.start(events)).sync();
            final byte[] reply = "HTTP/1.1 421 Misdirected Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
            worker.loop().submit(() -> raw.replyAndClose(Unpooled.directBuffer().writeBytes(reply))).sync();
            final InputStream in = client.getInputStream();
            assertArrayEquals(reply, in.readAllBytes(), "the reply whole, then end of stream");
            assertFalse(worker.loop().submit(raw::isOpen).get());
            assertEquals(1, events.closed.get());
        }
    }

    private static long openFds() throws Exception
    {
        try (var fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    /** Keeps what a raw socket reports; asks for more reads while {@code keepReading}. */
    private static final class Recorder implements ClientEvents
    {
        final RawClientSocket socket;
        final boolean keepReading;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger closeTasks = new AtomicInteger();
        final Latch inputDone = new Latch();
        final Latch firstRead = new Latch();
        final Latch closedLatch = new Latch();

        Recorder(final RawClientSocket socket, final boolean keepReading)
        {
            this.socket = socket;
            this.keepReading = keepReading;
        }

        synchronized byte[] bytes()
        {
            return received.toByteArray();
        }

        @Override
        public void onStart()
        {
            socket.onClosed(closedSocket -> closeTasks.incrementAndGet());
            socket.readMore();
        }

        @Override
        public void onRead(final ByteBuf bytes)
        {
            synchronized (this)
            {
                final byte[] copy = new byte[bytes.readableBytes()];
                bytes.readBytes(copy);
                received.writeBytes(copy);
            }
            bytes.release();
            reads.incrementAndGet();
            firstRead.open();
        }

        @Override
        public void onReadComplete()
        {
            if (keepReading)
            {
                socket.readMore();
            }
        }

        @Override
        public void onInputShutdown()
        {
            inputDone.open();
        }

        @Override
        public void onClosed()
        {
            closed.incrementAndGet();
            closedLatch.open();
        }

        @Override
        public void onError()
        {
            socket.close();
        }
    }

    private static final class Latch
    {
        private final java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);

        void open()
        {
            latch.countDown();
        }

        boolean await() throws InterruptedException
        {
            return latch.await(10, TimeUnit.SECONDS);
        }
    }
}
