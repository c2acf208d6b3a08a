package io.gatehouse.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The common part of a client slot: it is the handler of the one connection it holds at a time
 * (shared across the connections it opens in turn, so events of an old connection are told apart
 * by channel) and the listener of its connect. Event loop only; one per slot, no allocation per
 * transaction beyond Netty's channel.
 */
@ChannelHandler.Sharable
abstract class ClientSlot extends ChannelInboundHandlerAdapter implements Slot, ChannelFutureListener
{
    protected final LoopDriver driver;
    protected final IdLine idLine;
    protected Channel channel;

    ClientSlot(final LoopDriver driver)
    {
        this.driver = driver;
        this.idLine = new IdLine(driver.settings.expectId());
    }

    /** Persistent slots connect here; per-transaction slots do nothing. */
    abstract void open();

    /** True when it may take a transaction now. */
    abstract boolean isReady();

    /** Connects a new channel with this slot as its handler and connect listener. */
    protected final void connect()
    {
        // Register first, connect second: a loopback connect may complete (and fire channelActive)
        // inside connect(), which must already see this channel as the current one.
        final ChannelFuture registered = driver.bootstrap.handler(this).register();
        channel = registered.channel();
        if (registered.isDone() && !registered.isSuccess())
        {
            onFailure(ErrorKind.of(registered.cause()), String.valueOf(registered.cause().getMessage()));
            return;
        }
        channel.connect(driver.remote).addListener(this);
    }

    /**
     * Feeds the backend's id line: true once it has arrived and matched; false while more bytes are
     * needed, or when it named another backend (then counted as {@link ErrorKind#WRONG_BACKEND}).
     */
    protected final boolean idLineMatched(final ByteBuf data)
    {
        final int status = idLine.consume(data);
        if (status == IdLine.NEED_MORE_DATA)
        {
            return false;
        }
        if (status != IdLine.MATCH)
        {
            onFailure(ErrorKind.WRONG_BACKEND, "expected id '" + driver.settings.expectId() + "', got '" + idLine.seen() + "'");
            return false;
        }
        return true;
    }

    @Override
    public final void operationComplete(final ChannelFuture future)
    {
        if (!future.isSuccess() && future.channel() == channel)
        {
            onFailure(ErrorKind.of(future.cause()), String.valueOf(future.cause().getMessage()));
        }
    }

    @Override
    public final void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (ctx.channel() != channel || !(msg instanceof ByteBuf))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        final ByteBuf data = (ByteBuf)msg;
        try
        {
            onData(data);
        }
        finally
        {
            data.release();
        }
    }

    @Override
    public final void channelInactive(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() == channel)
        {
            onPeerClosed();
        }
    }

    /** The current connection closed under the slot (EOF, or after a reset); a failure unless the slot waits for it. */
    protected void onPeerClosed()
    {
        onFailure(ErrorKind.CLOSED, "peer closed the connection");
    }

    @Override
    public final void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (ctx.channel() == channel)
        {
            onFailure(ErrorKind.of(cause), String.valueOf(cause.getMessage()));
        }
        ctx.close();
    }

    /** Bytes of the current connection; the caller releases them. */
    protected abstract void onData(ByteBuf data);

    /** The current connection failed (connect, I/O, close, TLS, deadline). */
    protected abstract void onFailure(ErrorKind kind, String detail);

    /** Detaches and closes the current connection, so its later events are ignored. */
    protected final void dropChannel()
    {
        final Channel ch = channel;
        channel = null;
        if (ch != null)
        {
            ch.close();
        }
    }

    @Override
    public void close()
    {
        dropChannel();
    }
}
