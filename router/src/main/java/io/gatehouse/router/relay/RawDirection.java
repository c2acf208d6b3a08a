package io.gatehouse.router.relay;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One way of a connection the relay drives on raw file descriptors ({@link SpliceConnection}): source
 * socket -> held bytes -> sink socket. What every way of moving the bytes shares lives here: the
 * states, the end of stream, the forwarded FIN, a reset sink and the byte count. How the bytes are held
 * is the subclass's: a pipe ({@link SpliceDirection}, splice(2)) or a pooled buffer
 * ({@link BufferDirection}, recv(2) and send(2)).
 *
 * <p>The rules both keep, so that nothing is lost or reordered:
 * <ul>
 *   <li>Nothing more is read from the source until the sink has taken every byte held (backpressure:
 *       at most one pipe or one buffer of bytes is in flight per direction).</li>
 *   <li>The FIN goes to the sink (shutdown SHUT_WR) only when the source is at end of stream AND
 *       nothing is held, i.e. after every byte read from the source was written to the sink.</li>
 *   <li>A sink that was reset is abandoned: the source is then read to its end and what it sends is
 *       dropped (see {@link #abandonSink}).</li>
 * </ul>
 *
 * <p>Event loop thread only; not thread-safe; allocates nothing (pipes and buffers come from the
 * loop's pools).
 */
abstract class RawDirection
{
    /** Nothing held, waiting for the source to be readable (or to hang up). */
    static final int WAIT_SOURCE = 0;
    /** Bytes held that the sink could not take yet: waiting for the sink to be writable. */
    static final int WAIT_SINK = 1;
    /**
     * Stopped after its budget with the source still readable: no edge will say so again, so the connection
     * pumps it on after the loop's batch ({@link SpliceLoop#resumeAfterBatch}).
     */
    static final int YIELDED = 2;
    /** End of stream seen, every byte written, FIN sent to the sink. */
    static final int DONE = 3;
    /**
     * Not a state: what {@link #pump} answers when a read from the source failed (a reset). The state stays what
     * it was; the connection ends the way or the whole connection ({@code SpliceConnection.deliverAfterReset}).
     */
    static final int SOURCE_FAILED = -1;

    /** Most source reads in one pump before giving other connections on the loop a turn. */
    static final int MAX_READS_PER_PUMP = 16;

    final SpliceSocketHandle source;
    final SpliceSocketHandle sink;
    final SpliceLoop loop;
    private boolean sourceHungUp;
    boolean sourceEnded;
    int state = WAIT_SOURCE;
    long bytesWritten;
    private boolean discarding;
    private boolean sinkFailed;
    private boolean sourceReset;
    private long bytesDiscarded;
    /** Bytes the sink gets before any read from the source (the first flight), or null; direct, one piece. */
    private ByteBuf pending;
    private ByteBuffer pendingView;
    /** The other way of the same connection (its source is this way's sink). */
    private RawDirection opposite;

    RawDirection(final SpliceSocketHandle source, final SpliceSocketHandle sink, final SpliceLoop loop)
    {
        this.source = source;
        this.sink = sink;
        this.loop = loop;
    }

    /** The connection pairs its two ways once, before the first pump. */
    final void pairWith(final RawDirection other)
    {
        opposite = other;
    }

    int state()
    {
        return state;
    }

    boolean isDone()
    {
        return state == DONE;
    }

    boolean wantsSourceReadable()
    {
        return state == WAIT_SOURCE || state == YIELDED;
    }

    boolean wantsSinkWritable()
    {
        return state == WAIT_SINK;
    }

    boolean hasSourceEnded()
    {
        return sourceEnded;
    }

    /** True once the FIN was forwarded to the sink. */
    boolean isSinkShut()
    {
        return state == DONE && !discarding;
    }

    /** True once after a write or shutdown to the sink failed (it was reset); then false again. */
    boolean takeSinkFailure()
    {
        final boolean failed = sinkFailed;
        sinkFailed = false;
        return failed;
    }

    final void onSinkFailed()
    {
        abandonSink();
        sinkFailed = true;
    }

    boolean isDiscarding()
    {
        return discarding;
    }

    long bytesDiscarded()
    {
        return bytesDiscarded;
    }

    /**
     * The sink reset us (it closed and was then written to): nothing more can reach it. Drops what is
     * held and from now on reads the source to its end and drops what it reads, so that closing the
     * source's socket later finds nothing unread (which would make Linux reset it and drop what we
     * still queue for it the other way).
     */
    void abandonSink()
    {
        if (discarding)
        {
            return;
        }
        discarding = true;
        dropPending();
        discard();
        if (state != DONE)
        {
            state = WAIT_SOURCE;
        }
    }

    long bytesWritten()
    {
        return bytesWritten;
    }

    /**
     * Every byte the source will send is queued: epoll said so to its handle (EPOLLRDHUP, EPOLLHUP, whoever heard
     * it: the peek, the connect, the relay), or the connection knows it (the other way's sink reset).
     */
    final boolean isSourceHungUp()
    {
        return sourceHungUp || source.hungUp;
    }

    /** The connection knows the source has sent all it will (the other way found it reset). */
    void onSourceHungUp()
    {
        sourceHungUp = true;
    }

    /** Times splice(2) moved nothing but recv(2) found bytes (TCP urgent marks); 0 for a buffer. */
    long fallbackReads()
    {
        return 0;
    }

    /**
     * Moves bytes until the source has none, the sink takes no more, or the budget is spent.
     *
     * @param sourceReadable the source's handle is readable (an edge since its last EAGAIN or short read).
     * @return the new state, or {@link #SOURCE_FAILED} when a read from the source failed (it was reset): the
     *         connection decides what follows ({@link #isSourceReset} says so from then on). A failed write to
     *         the sink abandons the sink instead (see {@link #takeSinkFailure}).
     * @throws IOException when a pipe took fewer bytes than it had room for (a fault of this host, not of a peer).
     */
    final int pump(final boolean sourceReadable) throws IOException
    {
        if (state == DONE)
        {
            return DONE;
        }
        final int next;
        if (discarding)
        {
            next = pumpToNowhere();
        }
        else
        {
            if (pending != null)
            {
                if (!sendPending())
                {
                    return state;
                }
                if (!sourceReadable)
                {
                    // No edge said the source is readable: wait for one rather than a recv(2) that would say
                    // EAGAIN (a TLS client waits for the ServerHello now).
                    return state = WAIT_SOURCE;
                }
            }
            try
            {
                next = pumpBytes(sourceReadable);
            }
            catch (final IOException pipeFault)
            {
                sourceReset = true; // the way cannot go on: the connection aborts as for a reset
                throw pipeFault;
            }
        }
        if (next == SOURCE_FAILED)
        {
            sourceReset = true;
        }
        return next;
    }

    /** True once a read from the source failed (it was reset). */
    boolean isSourceReset()
    {
        return sourceReset;
    }

    /**
     * The source was reset after the other way had ended: take it as the end of this way's stream, so
     * that what is held still goes to the sink, then the FIN (see {@code SpliceConnection}).
     */
    void endAtReset()
    {
        sourceEnded = true;
        if (state != DONE && state != WAIT_SINK)
        {
            state = WAIT_SOURCE;
        }
    }

    /**
     * Holds {@code first} (the route's PROXY header and the client's peeked bytes) for the sink, ahead of
     * anything read from the source; ownership passes here. It goes out on the first {@link #pump} (the
     * connection pumps this way for the sink's EPOLLOUT as it starts), with the same backpressure and reset
     * rules as bytes read from the source: the source is not read until the sink has taken all of it, and
     * it is dropped with the sink when that resets. Before the first pump only.
     *
     * @param first a direct buffer in one piece ({@code nioBufferCount() == 1}), not empty.
     */
    final void preload(final ByteBuf first)
    {
        pending = first;
        pendingView = first.nioBuffer(first.readerIndex(), first.readableBytes());
        state = WAIT_SINK;
    }

    /** @return true once every pending byte went out; false while the sink takes no more, or failed. */
    private boolean sendPending()
    {
        while (pendingView.hasRemaining())
        {
            final int written = sink.send(pendingView, 0, pendingView.position(), pendingView.remaining());
            if (written == SpliceSocketHandle.FAILED)
            {
                onSinkFailed();
                return false;
            }
            if (written == 0)
            {
                state = WAIT_SINK;
                return false;
            }
            pendingView.position(pendingView.position() + written);
            bytesWritten += written;
        }
        dropPending();
        return true;
    }

    private void dropPending()
    {
        final ByteBuf held = pending;
        if (held != null)
        {
            pending = null;
            pendingView = null;
            held.release();
        }
    }

    /** The connection ends: what holds bytes goes back (to its pool when empty), or is dropped after an error. */
    final void close(final boolean afterError)
    {
        dropPending();
        if (afterError)
        {
            discard();
        }
        else
        {
            release();
        }
    }

    /**
     * {@link #pump} while the sink takes bytes: the subclass's way of holding them.
     *
     * @return the new state, or {@link #SOURCE_FAILED} when a read from the source failed.
     */
    abstract int pumpBytes(boolean sourceReadable) throws IOException;

    /** Gives back what holds the bytes: to its pool when empty, dropped otherwise. */
    abstract void release();

    /** After an error mid-move what is held is unknown: drop it, never pool it. */
    abstract void discard();

    /**
     * The source is at end of stream and nothing is held: forward the FIN. A sink reset since its last event
     * refuses it (ENOTCONN, as an errno: no exception), and counts as the sink's failure.
     *
     * <p>The last FIN of a connection is not a shutdown(2): when the other way is done and has read its
     * source (this way's sink) to end of stream, the connection finishes within this event and closes the
     * sink, and a close(2) with nothing unread sends the FIN after every byte queued, as the shutdown would
     * (once per connection that ends both ways, one system call fewer; under wrk 'Connection: close' the
     * shutdown would mostly fail anyway: the backend has closed and reset us by then).
     */
    final int shutDownSink()
    {
        release();
        if (opposite != null && opposite.isDone() && opposite.hasSourceEnded())
        {
            return state = DONE;
        }
        if (!sink.shutdownOutput())
        {
            onSinkFailed();
        }
        return state = DONE;
    }

    private int pumpToNowhere()
    {
        final ByteBuffer scratch = loop.scratch();
        for (int reads = 0; reads < MAX_READS_PER_PUMP; reads++)
        {
            final int received = source.recv(scratch);
            if (received == SpliceSocketHandle.FAILED)
            {
                return SOURCE_FAILED;
            }
            if (received < 0)
            {
                sourceEnded = true;
                return state = DONE;
            }
            if (received == 0)
            {
                return state = WAIT_SOURCE;
            }
            bytesDiscarded += received;
        }
        return state = YIELDED;
    }
}
