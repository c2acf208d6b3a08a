package io.gatehouse.router.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;

/**
 * Tells a reset from a FIN at end of stream, where the socket API cannot: on this kernel a read(2) after an
 * RST that arrived behind data already read returns end of stream, not ECONNRESET
 * (bench-results/netty-repro/ResetReadsAsEof.java). TCP_INFO's state still tells them apart: an RST moves
 * the socket to TCP_CLOSE, a FIN leaves it in CLOSE_WAIT (or LAST_ACK/CLOSING/TIME_WAIT once our FIN was
 * sent too). Epoll channels only: Netty 4.2 has no TCP_INFO call for io_uring or NIO channels, whose ends
 * keep the end-of-stream word.
 *
 * <p>Thread: the channel's event loop. Allocates one {@link EpollTcpInfo} per call (once per direction's
 * end, epoll only).
 */
final class TcpState
{
    /** {@code TCP_CLOSE} in linux/tcp_states.h. */
    static final int TCP_CLOSE = 7;

    private TcpState()
    {
    }

    /** True when {@code channel} is an open epoll socket whose TCP state says the peer reset it. */
    static boolean wasReset(final Channel channel)
    {
        if (!(channel instanceof EpollSocketChannel) || !channel.isOpen())
        {
            return false;
        }
        try
        {
            return ((EpollSocketChannel)channel).tcpInfo(new EpollTcpInfo()).state() == TCP_CLOSE;
        }
        catch (final ChannelException ex)
        {
            return false;
        }
    }
}
