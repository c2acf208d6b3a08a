package io.gatehouse.router.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.RawUnixChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import java.nio.ByteBuffer;

/**
 * Tells a reset from a FIN at end of stream, where the socket API cannot: on this kernel a read(2) after an
 * RST that arrived behind data already read returns end of stream, not ECONNRESET
 * (bench-results/netty-repro/ResetReadsAsEof.java). TCP_INFO's state still tells them apart: an RST moves
 * the socket to TCP_CLOSE, a FIN leaves it in CLOSE_WAIT (or LAST_ACK/CLOSING/TIME_WAIT once our FIN was
 * sent too).
 *
 * <p>Read with {@code getsockopt(IPPROTO_TCP, TCP_INFO)} truncated to its first byte ({@code tcpi_state}),
 * through Netty's raw socket option, which the epoll and the io_uring channels both take. NIO channels have
 * no such call: their ends keep the end-of-stream word.
 *
 * <p>Thread: the channel's event loop. Allocates one 1-byte buffer per call (once per direction's end).
 */
final class TcpState
{
    /** {@code TCP_CLOSE} in linux/tcp_states.h. */
    static final int TCP_CLOSE = 7;

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    private static final RawUnixChannelOption TCPI_STATE = new RawUnixChannelOption("TCP_INFO.tcpi_state", IPPROTO_TCP, TCP_INFO, 1);

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
        try
        {
            final ByteBuffer info = channel.config().getOption(TCPI_STATE);
            return info != null && info.remaining() >= 1 ? info.get(info.position()) & 0xff : -1;
        }
        catch (final ChannelException | UnsupportedOperationException ex)
        {
            return -1;
        }
    }
}
