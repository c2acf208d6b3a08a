package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gatehouse.router.Await;
import io.gatehouse.router.loop.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.net.Socket;
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

    private OneLoopServer server;

    private void bind(final Transport transport) throws Exception
    {
        server = OneLoopServer.bind(transport, false, null);
    }

    @AfterEach
    void close()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static int state(final Channel channel)
    {
        return onLoop(channel, () -> TcpState.state(channel));
    }

    private static int onLoop(final Channel channel, final java.util.concurrent.Callable<Integer> read)
    {
        try
        {
            return channel.eventLoop().submit(read).get();
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
            client.connect(server.address());
            final Channel channel = server.accepted();
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
            client.connect(server.address());
            final Channel channel = server.accepted();
            client.shutdownOutput();
            Await.until("the FIN arrives", () -> state(channel) == TCP_CLOSE_WAIT, () -> "state " + state(channel));
            client.close(); // nothing unread: a FIN-closed peer closing is no reset either
            Thread.sleep(200);
            assertFalse(TcpState.TCP_CLOSE == state(channel), "state " + state(channel));
        }
    }

    /** The raw relay's own reading (an int getsockopt, no buffer) against the channel's, at each state. */
    @Test
    void shouldReadTheSameStateThroughTheRawSocketHandle() throws Exception
    {
        bind(Transport.EPOLL);
        try (Socket client = new Socket())
        {
            client.connect(server.address());
            final Channel channel = server.accepted();
            final SpliceSocketHandle handle = new SpliceSocketHandle(null, channel);
            assertEquals(TCP_ESTABLISHED, handleState(channel, handle));
            client.shutdownOutput();
            Await.until("the FIN arrives", () -> handleState(channel, handle) == TCP_CLOSE_WAIT, () -> "state " + state(channel));
            channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[4096])).sync();
            Await.until("the answer waits unread", () -> quietly(() -> client.getInputStream().available() > 0), () -> "nothing arrived");
            client.close(); // unread data: the kernel sends an RST
            Await.until("the reset is seen", () -> handleState(channel, handle) == TcpState.TCP_CLOSE, () -> "state " + state(channel));
            assertEquals(state(channel), handleState(channel, handle));
            channel.close().sync();
            assertEquals(-1, handleState(channel, handle), "a closed fd has no state");
        }
    }

    private static int handleState(final Channel channel, final SpliceSocketHandle handle)
    {
        return onLoop(channel, handle::tcpState);
    }

    @Test
    void shouldNotAnswerForNioOrClosedChannels() throws Exception
    {
        bind(Transport.EPOLL);
        try (Socket client = new Socket())
        {
            client.connect(server.address());
            final Channel channel = server.accepted();
            channel.close().sync();
            assertEquals(-1, TcpState.state(channel));
            assertFalse(TcpState.wasReset(new io.netty.channel.embedded.EmbeddedChannel()));
        }
    }
}
