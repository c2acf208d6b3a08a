package io.gatehouse.router.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A test handler that records what one channel's pipeline saw: the bytes read, its input-shutdown and
 * output-shutdown events and its close. {@link #onInputShutdown} runs on the loop at the input-shutdown
 * event, before it is recorded.
 */
class ChannelEvents extends ChannelInboundHandlerAdapter
{
    final CompletableFuture<Boolean> inputShutdown = new CompletableFuture<>();
    final CompletableFuture<Boolean> outputShutdown = new CompletableFuture<>();
    final CompletableFuture<Boolean> inactive = new CompletableFuture<>();
    private final ByteArrayOutputStream read = new ByteArrayOutputStream();

    /** Every byte read so far. */
    byte[] read()
    {
        synchronized (read)
        {
            return read.toByteArray();
        }
    }

    void onInputShutdown(final ChannelHandlerContext ctx)
    {
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf buf = (ByteBuf)msg;
        synchronized (read)
        {
            final byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            read.writeBytes(bytes);
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            onInputShutdown(ctx);
            inputShutdown.complete(true);
        }
        else if (event instanceof ChannelOutputShutdownEvent)
        {
            outputShutdown.complete(true);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        inactive.complete(true);
    }
}
