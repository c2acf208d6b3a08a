package io.gatehouse.router.relay;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.IOException;
import java.nio.ByteOrder;

/**
 * Tells a reset from a FIN at end of stream, where the socket API cannot: on this kernel a read(2) after an
 * RST that arrived behind data already read returns end of stream, not ECONNRESET
 * (bench-results/netty-repro/ResetReadsAsEof.java). TCP_INFO's state still tells them apart: an RST moves
 * the socket to TCP_CLOSE, a FIN leaves it in CLOSE_WAIT (or LAST_ACK/CLOSING/TIME_WAIT once our FIN was
 * sent too).
 *
 * <p>Read with {@code getsockopt(IPPROTO_TCP, TCP_INFO)} truncated to an int, whose first byte is
 * {@code tcpi_state}, on the socket under an epoll or io_uring channel, or under a raw relay's handle. NIO
 * channels have no such call: their ends keep the end-of-stream word.
 *
 * <p>Thread: the channel's event loop. Allocates nothing; throws nothing.
 */
final class TcpState
{
    /** {@code TCP_CLOSE} in linux/tcp_states.h. */
    static final int TCP_CLOSE = 7;

    /** Where {@code tcpi_state}, TCP_INFO's first byte, lands in the int that getsockopt fills. */
    private static final int STATE_SHIFT = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 24;

    private TcpState()
    {
    }

    /** True when {@code channel} is an open epoll or io_uring socket whose TCP state says the peer reset it. */
    static boolean wasReset(final Channel channel)
    {
        return state(channel) == TCP_CLOSE;
    }

    /** The socket's {@code tcpi_state}, or -1 when it cannot be read (closed, NIO, or refused). */
    static int state(final Channel channel)
    {
        if (!(channel instanceof EpollSocketChannel || channel instanceof IoUringSocketChannel) || !channel.isOpen())
        {
            return -1;
        }
        return state(((UnixChannel)channel).fd().intValue());
    }

    /** The open socket {@code fd}'s {@code tcpi_state} (one int getsockopt), or -1 when it cannot be read. */
    static int state(final int fd)
    {
        try
        {
            return (SocketCalls.getIntOpt(fd, SocketCalls.IPPROTO_TCP, SocketCalls.TCP_INFO) >>> STATE_SHIFT) & 0xff;
        }
        catch (final IOException closed)
        {
            return -1;
        }
    }
}
