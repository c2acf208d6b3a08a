package io.gatehouse.router.relay;

import io.gatehouse.router.listen.TimedConnection;
import io.gatehouse.router.listen.Worker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * The default relay: each buffer read from one channel is written, as is, to the other (no copy).
 *
 * <p>Flow control: a side is read again (auto-read is off on both) only after its batch was flushed to a
 * writable peer; when the peer is not writable the side stays parked until the peer's writability returns.
 * Memory per connection is therefore bounded by one read batch plus the peer's write high-water mark.
 *
 * <p>Ends: a FIN from one side (input shutdown, with ALLOW_HALF_CLOSURE) is forwarded as a half-close
 * after everything read before it was written; when both directions have carried their FIN both channels
 * close. An error on either side (RST, EPIPE) closes both. A relay with no byte either way for the idle
 * timeout closes both (checked on the worker's tick, without a clock read per read).
 *
 * <p>Thread: the event loop both channels share. Allocation: this object, its {@link BackendSide} (which
 * are also the two half-close listeners), nothing per read.
 */
public final class CopyRelay extends TimedConnection implements ChannelFutureListener
{
    private static final int FIN_NONE = 0;
    private static final int FIN_FLUSHING = 1;
    private static final int FIN_SHUTTING = 2;
    private static final int FIN_DONE = 3;

    private final Worker worker;
    private final Channel client;
    private final Channel backend;
    private final RelayObserver observer;
    private final long idleTimeoutNs;
    private final BackendSide backendSide = new BackendSide();
    private boolean clientParked;
    private boolean backendParked;
    private boolean clientInputDone;
    private boolean backendInputDone;
    private int finToClient = FIN_NONE;
    private boolean closed;
    private String closeReason;
    private long bytes;
    private long bytesAtLastCheck;
    private long quietSinceNs;

    private CopyRelay(
        final Worker worker, final Channel client, final Channel backend, final RelayObserver observer, final long idleTimeoutNs)
    {
        this.worker = worker;
        this.client = client;
        this.backend = backend;
        this.observer = observer;
        this.idleTimeoutNs = idleTimeoutNs;
    }

    /**
     * Starts relaying between two connected channels on {@code worker}'s loop: writes {@code first} to the
     * backend, then reads both sides.
     *
     * @param first           bytes owed to the backend before anything read from now on (PROXY header,
     *                        peeked bytes), or {@code null}; ownership passes here.
     * @param clientInputDone true when the client's FIN was already seen during the peek.
     */
    public static CopyRelay start(
        final Worker worker,
        final Channel client,
        final Channel backend,
        final ByteBuf first,
        final RelayObserver observer,
        final long idleTimeoutNs,
        final boolean clientInputDone)
    {
        final CopyRelay relay = new CopyRelay(worker, client, backend, observer, idleTimeoutNs);
        relay.quietSinceNs = worker.nowNs();
        worker.relaying().add(relay);
        backend.pipeline().addLast(relay.backendSide);
        client.pipeline().addLast(relay);
        if (first != null)
        {
            relay.bytes += first.readableBytes();
            backend.writeAndFlush(first, backend.voidPromise());
        }
        if (!client.isActive() || !backend.isActive())
        {
            relay.closeBoth("closed");
            return relay;
        }
        backend.read();
        if (clientInputDone)
        {
            relay.onClientInputShutdown();
        }
        else if (backend.isWritable())
        {
            client.read();
        }
        else
        {
            relay.clientParked = true;
        }
        return relay;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!backend.isActive() || !(msg instanceof ByteBuf))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        final int length = ((ByteBuf)msg).readableBytes();
        bytes += length;
        observer.onBytes(length, 0);
        backend.write(msg, backend.voidPromise());
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        backend.flush();
        if (clientInputDone || closed)
        {
            return;
        }
        if (backend.isWritable())
        {
            client.read();
        }
        else
        {
            clientParked = true;
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (client.isWritable() && backendParked && !backendInputDone && !closed)
        {
            backendParked = false;
            backend.read();
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            onClientInputShutdown();
        }
        ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (closeReason == null)
        {
            closeReason = "client_eof";
        }
        onSideClosed(backend);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        closeBoth(isReset(cause) ? "reset" : "error");
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        worker.relaying().remove(this);
    }

    /** The writes before the client's FIN reached the backend (or failed): shut the backend's output. */
    @Override
    public void operationComplete(final ChannelFuture future)
    {
        advanceFin(future, backendSide);
    }

    @Override
    public void onTick(final long nowNs)
    {
        if (bytes != bytesAtLastCheck)
        {
            bytesAtLastCheck = bytes;
            quietSinceNs = nowNs;
        }
        else if (nowNs - quietSinceNs - idleTimeoutNs >= 0)
        {
            closeBoth("idle");
        }
    }

    @Override
    public void onForcedClose()
    {
        closeBoth("shutdown");
    }

    private void onClientInputShutdown()
    {
        if (clientInputDone)
        {
            return;
        }
        clientInputDone = true;
        if (backendSide.finToBackend == FIN_NONE && backend.isActive())
        {
            backendSide.finToBackend = FIN_FLUSHING;
            backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(this);
        }
    }

    private void onBackendInputShutdown()
    {
        if (backendInputDone)
        {
            return;
        }
        backendInputDone = true;
        if (finToClient == FIN_NONE && client.isActive())
        {
            finToClient = FIN_FLUSHING;
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(backendSide);
        }
    }

    private void advanceFin(final ChannelFuture future, final BackendSide side)
    {
        final boolean toBackend = side != null;
        final int state = toBackend ? backendSide.finToBackend : finToClient;
        if (!future.isSuccess())
        {
            closeBoth(isReset(future.cause()) ? "reset" : "error");
            return;
        }
        final Channel target = toBackend ? backend : client;
        final ChannelFutureListener listener = toBackend ? this : backendSide;
        if (state == FIN_FLUSHING)
        {
            setFin(toBackend, FIN_SHUTTING);
            ((DuplexChannel)target).shutdownOutput().addListener(listener);
        }
        else if (state == FIN_SHUTTING)
        {
            setFin(toBackend, FIN_DONE);
            if (backendSide.finToBackend == FIN_DONE && finToClient == FIN_DONE)
            {
                closeBoth("client_eof");
            }
        }
    }

    private void setFin(final boolean toBackend, final int state)
    {
        if (toBackend)
        {
            backendSide.finToBackend = state;
        }
        else
        {
            finToClient = state;
        }
    }

    /** One side closed completely: let the other flush what it was given, then close it too. */
    private void onSideClosed(final Channel other)
    {
        if (other.isActive())
        {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        else
        {
            onBothClosed();
        }
    }

    private void closeBoth(final String reason)
    {
        if (closeReason == null)
        {
            closeReason = reason;
        }
        client.close();
        backend.close();
    }

    private static boolean isReset(final Throwable cause)
    {
        return cause instanceof java.io.IOException;
    }

    private void onBothClosed()
    {
        if (!closed)
        {
            closed = true;
            worker.relaying().remove(this);
            observer.onClosed(closeReason != null ? closeReason : "closed");
        }
    }

    /** The backend channel's handler; also the listener of the client's half-close. */
    private final class BackendSide extends ChannelInboundHandlerAdapter implements ChannelFutureListener
    {
        int finToBackend = FIN_NONE;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (!client.isActive() || !(msg instanceof ByteBuf))
            {
                ReferenceCountUtil.release(msg);
                return;
            }
            final int length = ((ByteBuf)msg).readableBytes();
            bytes += length;
            observer.onBytes(0, length);
            client.write(msg, client.voidPromise());
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            client.flush();
            if (backendInputDone || closed)
            {
                return;
            }
            if (client.isWritable())
            {
                backend.read();
            }
            else
            {
                backendParked = true;
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            if (backend.isWritable() && clientParked && !clientInputDone && !closed)
            {
                clientParked = false;
                client.read();
            }
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
        {
            if (event instanceof ChannelInputShutdownEvent)
            {
                onBackendInputShutdown();
            }
            ReferenceCountUtil.release(event);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            if (closeReason == null)
            {
                closeReason = "backend_eof";
            }
            onSideClosed(client);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            closeBoth(isReset(cause) ? "reset" : "error");
        }

        /** The writes before the backend's FIN reached the client (or failed): shut the client's output. */
        @Override
        public void operationComplete(final ChannelFuture future)
        {
            advanceFin(future, null);
        }
    }
}
