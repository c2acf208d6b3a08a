package io.gatehouse.router.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * How the admin server closes a connection after its last answer: FIN first, then the rest of what the
 * client sends is read and dropped until it closes too, or {@link #LINGER_MS} pass (HAProxy's and nginx's
 * "lingering close"). Closing at once with request bytes unread makes the kernel send an RST, and a client
 * still sending its request (one refused past the cap, or for an oversized line) then loses the answer
 * that was already on its way.
 *
 * <p>Admin event loop only; allocates one handler and one timer per closed connection (control path).
 */
final class LingeringClose implements ChannelFutureListener
{
    /** The longest a closed connection is kept reading what its client still sends. */
    static final long LINGER_MS = 1_000;

    /** Use as a write's listener: once the answer is written, close gently. */
    static final LingeringClose AFTER_WRITE = new LingeringClose();

    private LingeringClose()
    {
    }

    @Override
    public void operationComplete(final ChannelFuture written)
    {
        final Channel channel = written.channel();
        if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex) || !channel.isActive())
        {
            channel.close();
            return;
        }
        duplex.shutdownOutput().addListener(shut ->
        {
            if (!shut.isSuccess())
            {
                channel.close();
                return;
            }
            channel.pipeline().addFirst(new Discard());
            channel.config().setAutoRead(true);
            channel.eventLoop().schedule(() -> channel.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        });
    }

    /** Drops what the client still sends; closes at its end of stream or on any error. */
    private static final class Discard extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
        {
            ReferenceCountUtil.release(event);
            ctx.close();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
