package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.config.RuntimeConfig.Transport;
import io.gatehouse.router.systemd.ServerChannelAdopter.Adoption;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ServerChannelAdopterTest
{
    @Test
    void shouldServeConnectionQueuedBeforeAdoptionThroughAdoptedDescriptor() throws Exception
    {
        Epoll.ensureAvailability();
        final Socket listening = Socket.newSocketStream();
        listening.bind(new InetSocketAddress("127.0.0.1", 0));
        listening.listen(16);
        final InetSocketAddress local = listening.localAddress();
        final EventLoopGroup group = EchoServer.newGroup(2);
        try (java.net.Socket early = new java.net.Socket())
        {
            early.connect(local, 2_000);
            early.setSoTimeout(5_000);

            final Adoption adoption = ServerChannelAdopter.adopt(InheritedSockets.inspect(listening.intValue(), "public"), Transport.EPOLL);
            assertTrue(adoption.adopted(), adoption.refusal());
            final ChannelFuture registered = ServerChannelAdopter.register(EchoServer.bootstrap(group), adoption.channel());
            assertTrue(registered.await(5, TimeUnit.SECONDS));
            assertTrue(registered.isSuccess(), String.valueOf(registered.cause()));
            assertEquals(local, adoption.channel().localAddress());

            assertEchoes(early, "queued before adoption");
            try (java.net.Socket late = new java.net.Socket())
            {
                late.connect(local, 2_000);
                late.setSoTimeout(5_000);
                assertEchoes(late, "after adoption");
            }
            adoption.channel().close().sync();
        }
        finally
        {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void shouldRefuseToAdoptOnTransportsWithoutFdConstructor()
    {
        assertNull(ServerChannelAdopter.refusal(Transport.EPOLL), "epoll adopts");
        assertTrue(ServerChannelAdopter.refusal(Transport.IO_URING).contains("IoUringServerSocketChannel"));
        assertTrue(ServerChannelAdopter.refusal(Transport.NIO).contains("NIO"));
        assertNotNull(ServerChannelAdopter.refusal(Transport.AUTO));
        final Adoption onUring = ServerChannelAdopter.adopt(3, Transport.IO_URING);
        assertFalse(onUring.adopted());
        assertNull(onUring.channel());
    }

    @Test
    void shouldRefuseDescriptorThatIsNotTcpListener()
    {
        final Adoption adoption = ServerChannelAdopter.adopt(new InheritedSocket(4, "admin", null, false), Transport.EPOLL);
        assertFalse(adoption.adopted());
        assertTrue(adoption.refusal().contains("fd 4"));
    }

    @Test
    void shouldRunOnEpollWheneverSocketsAreInheritedAndSaySoWhenAskedOtherwise()
    {
        assertEquals(new ServerChannelAdopter.TransportChoice(Transport.EPOLL, null), ServerChannelAdopter.transportFor(Transport.EPOLL));
        final ServerChannelAdopter.TransportChoice uring = ServerChannelAdopter.transportFor(Transport.IO_URING);
        assertEquals(Transport.EPOLL, uring.transport());
        assertTrue(uring.notice().contains("io_uring cannot adopt"), uring.notice());
        final ServerChannelAdopter.TransportChoice nio = ServerChannelAdopter.transportFor(Transport.NIO);
        assertEquals(Transport.EPOLL, nio.transport());
        assertTrue(nio.notice().contains("transport nio was asked for"), nio.notice());
        assertEquals(Transport.EPOLL, ServerChannelAdopter.transportFor(Transport.AUTO).transport());
    }

    static void assertEchoes(final java.net.Socket socket, final String text) throws Exception
    {
        final byte[] sent = text.getBytes(StandardCharsets.US_ASCII);
        final OutputStream out = socket.getOutputStream();
        out.write(sent);
        out.flush();
        final InputStream in = socket.getInputStream();
        final byte[] received = in.readNBytes(sent.length);
        assertArrayEquals(sent, received);
    }
}
