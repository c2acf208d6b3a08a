package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.loop.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link CopyDirection#onSourceEnded()} takes from Netty when it turns auto-close on for a source
 * whose input has ended, on every transport with real sockets: a write to that channel that fails
 * because its peer reset closes the channel (so the relay hears of it in {@code channelInactive}), and
 * Netty's half-closure of the output, the path that builds a {@code ChannelOutputShutdownException}
 * and fails its shutdown(2), is not taken. With auto-close off, as while the source can still be read,
 * the same failure shuts the channel's output and leaves it open: the test holds both, so it fails if
 * the option stops mattering either way.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CloseOnWriteErrorTest
{
    private OneLoopServer server;
    private ChannelEvents events;

    private void bind(final Transport transport, final boolean autoCloseAtEnd) throws Exception
    {
        events = new ChannelEvents()
        {
            @Override
            void onInputShutdown(final ChannelHandlerContext ctx)
            {
                if (autoCloseAtEnd)
                {
                    ctx.channel().config().setAutoClose(true);
                }
            }
        };
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
    @EnumSource(Transport.class)
    void shouldCloseOnAFailedWriteOnceInputEndedWithAutoClose(final Transport transport) throws Exception
    {
        bind(transport, true);
        final Channel channel = resetAfterFin();
        writeUntil(channel, events.inactive);
        assertTrue(events.inactive.isDone(), "a failed write closed the channel on " + transport);
        assertFalse(events.outputShutdown.isDone(), "without Netty's half-closure of its output on " + transport);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldShutTheOutputAndStayOpenOnAFailedWriteWithoutAutoClose(final Transport transport) throws Exception
    {
        bind(transport, false);
        final Channel channel = resetAfterFin();
        writeUntil(channel, events.outputShutdown);
        assertTrue(events.outputShutdown.isDone(), "a failed write shut the channel's output on " + transport);
        assertTrue(channel.isOpen(), "and left it open on " + transport);
        assertFalse(events.inactive.isDone(), "not closed on " + transport);
    }

    /** A peer that sends its FIN, then resets: the router's side reads the end of stream first. */
    private Channel resetAfterFin() throws Exception
    {
        try (Socket client = new Socket())
        {
            client.connect(server.address());
            final Channel channel = server.accepted();
            client.shutdownOutput();
            events.inputShutdown.get(5, TimeUnit.SECONDS);
            client.setSoLinger(true, 0);
            return channel;
        }
    }

    /** Writes to the reset peer, one small buffer every 10 ms, until {@code outcome} (the first writes may still succeed). */
    private static void writeUntil(final Channel channel, final CompletableFuture<Boolean> outcome) throws Exception
    {
        for (int i = 0; i < 300 && !outcome.isDone(); i++)
        {
            channel.eventLoop().submit(() ->
            {
                if (channel.isActive())
                {
                    channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[64]));
                }
            }).get(5, TimeUnit.SECONDS);
            Thread.sleep(10);
        }
        outcome.get(1, TimeUnit.SECONDS);
    }
}
