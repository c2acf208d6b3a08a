package io.gatehouse.router.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import io.netty.util.ReferenceCountUtil;

/**
 * One way of a {@link CopyRelay}: what is read from {@link #source} is written, as is, to {@link #sink}.
 * The relay is two of these, client to backend and backend to client; each is the handler on its
 * source's pipeline and the listener of the writes that carry its FIN.
 *
 * <p>Rules, the same both ways:
 * <ol>
 * <li>Each buffer read is written to the sink unchanged; after a read batch the sink is flushed and the
 *     source read again only while the sink is writable, else the direction parks until the sink's
 *     writability returns (the other direction's handler sees that and calls {@link #onSinkWritable()}).</li>
 * <li>A FIN from the source (input shutdown) is forwarded as a shutdown of the sink's output only
 *     after every byte read before it: when the sink still has writes pending, an empty write is flushed
 *     behind them and the shutdown follows its completion; when the other way has finished already, the
 *     relay's close of both channels carries the FIN instead (no shutdown(2) first).</li>
 * <li>A failed write or shutdown on the sink means the sink was reset: nothing more goes that way, and the
 *     relay is told ({@link CopyRelay#onSinkReset}); what the sink sent before its reset still goes the
 *     other way. Once the sink's own input has ended there is nothing left to read from it, so auto-close
 *     is on for it from then ({@link #onSourceEnded} of the other way) and a failed write closes it: the
 *     other way's {@link #channelInactive} reports that as a close under the relay.</li>
 * <li>An error on the source channel (an RST seen by a read or a write) is told to the relay
 *     ({@link CopyRelay#onChannelError}): nothing more can be written to that channel, but what it sent
 *     before its reset is still read (the read then ends, which Netty reports as input shutdown with
 *     half-closure allowed) and delivered. A source channel closed under the relay is told to
 *     {@link CopyRelay#onSourceClosed}, except the close Netty makes at the end of stream of a channel
 *     whose output already carries the other way's FIN (half-closure is turned off on it then): that is
 *     the source's FIN.</li>
 * </ol>
 *
 * <p>Event loop thread only (the one both channels share). Allocates nothing after construction.
 */
final class CopyDirection extends ChannelInboundHandlerAdapter implements ChannelFutureListener
{
    private static final int FIN_NONE = 0;
    private static final int FIN_FLUSHING = 1;
    private static final int FIN_SHUTTING = 2;
    private static final int FIN_DONE = 3;
    /**
     * The FIN without an empty write when the sink has nothing pending, and by the relay's close when the
     * other way is done (see {@link #onSinkFlushed()}). {@code -Dgatehouse.relay.finShortcuts=false}
     * goes back to write, shutdown, close for every FIN (measured in bench-results/).
     */
    private static final boolean FIN_SHORTCUTS = !"false".equals(System.getProperty("gatehouse.relay.finShortcuts"));
    /** {@code -Dgatehouse.relay.directShutdown=false}: the FIN through Netty's {@code shutdownOutput} (see {@link #shutdownSinkOutput}). */
    private static final boolean DIRECT_SHUTDOWN = !"false".equals(System.getProperty("gatehouse.relay.directShutdown"));
    /** {@code -Dgatehouse.relay.closeOnSecondFin=false}: half-closure stays on after the FIN (see {@link #onFinForwarded}). */
    private static final boolean CLOSE_ON_SECOND_FIN = !"false".equals(System.getProperty("gatehouse.relay.closeOnSecondFin"));
    /** {@code -Dgatehouse.relay.closeOnWriteErrorAfterEnd=false}: auto-close stays off after the source's end (see {@link #onSourceEnded}). */
    private static final boolean CLOSE_ON_WRITE_ERROR_AFTER_END =
        !"false".equals(System.getProperty("gatehouse.relay.closeOnWriteErrorAfterEnd"));

    final CopyRelay relay;
    final Channel source;
    final Channel sink;
    /** True for client to backend. */
    final boolean fromClient;
    CopyDirection reverse;
    private boolean parked;
    private boolean sourceEnded;
    private boolean sourceFailed;
    /** An error was reported on the source channel (exceptionCaught). */
    private boolean sourceError;
    private boolean sinkReset;
    private int fin = FIN_NONE;

    CopyDirection(final CopyRelay relay, final Channel source, final Channel sink, final boolean fromClient)
    {
        this.relay = relay;
        this.source = source;
        this.sink = sink;
        this.fromClient = fromClient;
    }

    /** The source sent its FIN and it was forwarded, or this way can carry nothing more. */
    boolean isDone()
    {
        return fin == FIN_DONE || sinkReset || sourceFailed;
    }

    boolean hasSourceEnded()
    {
        return sourceEnded;
    }

    boolean isSinkReset()
    {
        return sinkReset;
    }

    /** The relay itself is shutting (or has shut) the sink's output to forward a FIN. */
    boolean isShuttingSink()
    {
        return fin == FIN_SHUTTING || fin == FIN_DONE;
    }

    /** Starts reading (or parks when the sink cannot take more yet). */
    void start()
    {
        readOrPark();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf) || sinkReset || relay.isClosing())
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        final int length = ((ByteBuf)msg).readableBytes();
        relay.onBytes(fromClient, length);
        sink.write(msg, sink.voidPromise());
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        sink.flush();
        readOrPark();
    }

    private void readOrPark()
    {
        if (sourceEnded || sourceFailed || sinkReset || relay.isClosing())
        {
            return;
        }
        if (sink.isWritable())
        {
            parked = false;
            source.read();
        }
        else
        {
            parked = true;
        }
    }

    /** The sink can take more again. */
    void onSinkWritable()
    {
        if (parked && sink.isWritable())
        {
            readOrPark();
        }
    }

    /** The source's writability changed: that is the other direction's sink. */
    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        reverse.onSinkWritable();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            if (((DuplexChannel)source).isOutputShutdown() && !reverse.isShuttingSink())
            {
                // A write to this channel failed first (its reset, consumed by the write): not a FIN.
                relay.onChannelReset(this);
            }
            onSourceEnded();
        }
        else if (event instanceof ChannelOutputShutdownEvent && !reverse.isShuttingSink())
        {
            // Not the relay's forwarded FIN: with auto-close off Netty shuts a channel's output when a
            // write to it fails (ECONNRESET, EPIPE), and that error is consumed by the write, so the
            // next read may see a plain end of stream. It is this channel's reset.
            relay.onChannelReset(this);
        }
        ReferenceCountUtil.release(event);
    }

    /**
     * The source's FIN: forward it behind every byte already written (also for a FIN seen during the peek).
     *
     * <p>Nothing more can be read from the source now, so auto-close goes on for it: a write to it that
     * fails from here on (its peer reset) makes Netty close it at once, which {@link #channelInactive}
     * reports as a close under the relay, instead of Netty's half-closure of its output. That path builds
     * a {@code ChannelOutputShutdownException} and then fails its shutdown(2) into a
     * {@code NotYetConnectedException}, two stack walks, on most connections under {@code wrk -H
     * 'Connection: close'}. Auto-close has to stay off while the source can still be read: what a reset
     * side sent before its reset is still delivered.
     */
    void onSourceEnded()
    {
        if (sourceEnded || sourceFailed)
        {
            return;
        }
        sourceEnded = true;
        if (CLOSE_ON_WRITE_ERROR_AFTER_END)
        {
            source.config().setAutoClose(true);
        }
        relay.onSourceEnded(this);
        if (sinkReset)
        {
            relay.onDirectionDone();
            return;
        }
        fin = FIN_FLUSHING;
        if (FIN_SHORTCUTS && isFlushed(sink))
        {
            onSinkFlushed();
            return;
        }
        sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(this);
    }

    /**
     * Nothing is waiting to go out on {@code channel} (written and not yet in the kernel), and it is still open
     * for writes: for the sink, every byte read before the FIN is in the kernel already.
     */
    static boolean isFlushed(final Channel channel)
    {
        final ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        return pending != null && pending.isEmpty() && pending.totalPendingWriteBytes() == 0;
    }

    /**
     * Every byte before the FIN was written: forward the FIN. When the other way has finished already,
     * the relay closes both channels next, and close(2) sends this FIN behind the written bytes itself
     * (the sink's own stream ended, so it has nothing unread that would turn the close into a reset): no
     * shutdown(2), and no failed shutdown on a sink that was reset meanwhile.
     */
    private void onSinkFlushed()
    {
        if (FIN_SHORTCUTS && reverse.isDone())
        {
            fin = FIN_DONE;
            relay.onDirectionDone();
            return;
        }
        fin = FIN_SHUTTING;
        final Socket socket = DIRECT_SHUTDOWN ? nettySocket(sink) : null;
        if (socket != null)
        {
            shutdownSinkOutput(socket);
            return;
        }
        ((DuplexChannel)sink).shutdownOutput().addListener(this);
    }

    /** The channel's own Netty socket (epoll and io_uring), or null (NIO): where a FIN can go by shutdown(2) directly. */
    static Socket nettySocket(final Channel channel)
    {
        return channel instanceof UnixChannel && ((UnixChannel)channel).fd() instanceof Socket ? (Socket)((UnixChannel)channel).fd() : null;
    }

    /**
     * The FIN by shutdown(2) on the sink's own Netty socket, which keeps the socket's state (so the channel
     * reads as output-shut) without Netty's {@code shutdownOutput}, which builds a
     * {@code ChannelOutputShutdownException} with its stack trace on every call (about 2% of the loop's
     * time per new connection). The sink has nothing pending or in flight here, so there is nothing for
     * Netty to fail; a write after it cannot happen (the source has ended).
     */
    private void shutdownSinkOutput(final Socket socket)
    {
        try
        {
            socket.shutdown(false, true);
        }
        catch (final IOException | NotYetConnectedException reset)
        {
            onSinkFailed();
            return;
        }
        onFinForwarded();
    }

    /** The writes before the FIN completed (or failed), then the shutdown did. */
    @Override
    public void operationComplete(final ChannelFuture future)
    {
        if (!future.isSuccess())
        {
            onSinkFailed();
            return;
        }
        if (fin == FIN_FLUSHING)
        {
            onSinkFlushed();
        }
        else if (fin == FIN_SHUTTING)
        {
            onFinForwarded();
        }
    }

    /**
     * The sink's output is shut. Its own stream still runs the other way; its end of stream now ends the
     * sink channel altogether, so Netty closes it there instead of half-closing it: with half-closure on,
     * Netty's shutdown(SHUT_RD) on a socket whose FINs both went already fails with ENOTCONN and builds a
     * {@code NotYetConnectedException} with its stack trace, once per connection. {@link #channelInactive}
     * of the other way takes that close as its source's FIN.
     */
    private void onFinForwarded()
    {
        fin = FIN_DONE;
        if (CLOSE_ON_SECOND_FIN && !reverse.isDone())
        {
            ((DuplexChannelConfig)sink.config()).setAllowHalfClosure(false);
        }
        relay.onDirectionDone();
    }

    /** A write or shutdown towards the sink failed: the sink was reset (ENOTCONN, EPIPE, ECONNRESET). */
    void onSinkFailed()
    {
        if (sinkReset)
        {
            return;
        }
        sinkReset = true;
        relay.onSinkReset(this);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        sourceError = true;
        relay.onChannelError(this, cause);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (!sourceEnded && !sourceFailed && !sourceError && !((DuplexChannelConfig)source.config()).isAllowHalfClosure()
            && !relay.isClosing())
        {
            // Half-closure is off only once its output carries the other way's FIN (onFinForwarded), so Netty
            // closed it at its own end of stream: that is its FIN, every byte before it read already. A close
            // by the session (a timeout, a drain) comes here too; its end word is noted already and both close
            // anyway.
            onSourceEnded();
            return;
        }
        if (!sourceFailed)
        {
            sourceFailed = true;
            relay.onSourceClosed(this);
        }
    }
}
