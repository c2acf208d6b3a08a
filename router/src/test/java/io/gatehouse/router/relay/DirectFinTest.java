package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.loop.Transport;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the copy relay's FIN path takes from Netty, on real epoll and io_uring sockets (a Netty upgrade that
 * changes it would otherwise only show as the relay falling back to Netty's path, or as a close read as a
 * reset): the channel's own {@code unix.Socket} is reachable; shutdown(2) through it sends the FIN and
 * leaves the channel output-shut and still reading; and with half-closure turned off after that, the peer's
 * FIN makes Netty close the channel, with no input-shutdown event.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirectFinTest
{
    private OneLoopServer server;
    private final ChannelEvents events = new ChannelEvents();

    private void bind(final Transport transport) throws Exception
    {
        server = OneLoopServer.bind(transport, true, events);
    }

    @AfterEach
    void close()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void shouldSendTheFinByShutdownOnTheChannelsOwnSocketAndCloseAtThePeersFin(final Transport transport) throws Exception
    {
        bind(transport);
        try (Socket client = new Socket())
        {
            client.connect(server.address());
            final Channel channel = server.accepted();
            final io.netty.channel.unix.Socket socket = CopyDirection.nettySocket(channel);
            assertNotNull(socket, "the relay reaches the channel's own socket on " + transport);

            channel.eventLoop().submit(() ->
            {
                socket.shutdown(false, true);
                ((DuplexChannelConfig)channel.config()).setAllowHalfClosure(false);
                return null;
            }).get(5, TimeUnit.SECONDS);
            assertEquals(-1, client.getInputStream().read(), "the client sees the FIN");
            assertTrue(((DuplexChannel)channel).isOutputShutdown(), "the channel reads as output-shut");
            assertTrue(channel.isActive(), "and stays open for the other way");

            client.getOutputStream().write("after the FIN".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertTrue(events.inactive.get(5, TimeUnit.SECONDS), "the peer's FIN closes the channel");
            assertFalse(events.inputShutdown.isDone(), "with no input-shutdown event (no shutdown(SHUT_RD))");
            assertArrayEquals("after the FIN".getBytes(StandardCharsets.US_ASCII), events.read(),
                "every byte before the peer's FIN was read first");
        }
    }

    @Test
    void shouldLeaveNioToNettysShutdown()
    {
        assertNull(CopyDirection.nettySocket(new NioSocketChannel()));
    }
}
