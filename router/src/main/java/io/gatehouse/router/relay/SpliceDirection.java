package io.gatehouse.router.relay;

import io.netty.channel.epoll.Native;

import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import java.nio.ByteBuffer;

/**
 * One way of a spliced connection: source socket -> pipe -> sink socket, and the proof it loses
 * nothing.
 *
 * <p>The rules that make it lossless:
 * <ul>
 *   <li>It splices from the source only into an EMPTY pipe. An empty pipe always has room, so a
 *       splice that moves 0 bytes means "nothing to read now" or "end of stream", never "pipe full".</li>
 *   <li>It reads nothing more from the source until the sink has taken every byte in the pipe
 *       (backpressure: at most one pipe of bytes, 64 KiB by default, is in flight per direction).</li>
 *   <li>0 bytes is examined as a possible end of stream only after epoll said the source hung up
 *       (EPOLLRDHUP or EPOLLHUP; TCP has queued every byte before the FIN by then), and the end is
 *       confirmed by recv(2) returning end of stream (see the next rule). Before a hang-up, 0 bytes
 *       means wait for EPOLLIN|EPOLLRDHUP, which level-triggered epoll reports again if the FIN is
 *       already there.</li>
 *   <li>The FIN goes to the sink (shutdown SHUT_WR) only when the source is at end of stream AND the
 *       pipe is empty, i.e. after every byte read from the source was written to the sink.</li>
 * </ul>
 *
 * <p>Event loop thread only; not thread-safe; allocates nothing (pipes come from the pool).
 */
final class SpliceDirection
{
    /** Pipe empty, waiting for the source to be readable (or to hang up). */
    static final int WAIT_SOURCE = 0;
    /** Pipe holds bytes the sink could not take yet: waiting for the sink to be writable. */
    static final int WAIT_SINK = 1;
    /** Stopped after its budget with the source still readable: pump again on the next EPOLLIN. */
    static final int YIELDED = 2;
    /** End of stream seen, every byte written, FIN sent to the sink. */
    static final int DONE = 3;

    /** Most bytes asked of one splice from the source; the kernel caps it at the pipe's room. */
    static final int SPLICE_IN_MAX_BYTES = 1 << 20;
    /** Most source reads in one pump before giving other connections on the loop a turn. */
    static final int MAX_READS_PER_PUMP = 16;

    private final SpliceSocketHandle source;
    private final SpliceSocketHandle sink;
    private final SpliceLoop loop;
    private final SplicePipePool pipes;
    private SplicePipe pipe;
    private int pipeBytes;
    private boolean sourceHungUp;
    private boolean sourceEnded;
    private int state = WAIT_SOURCE;
    private long bytesWritten;
    private long fallbackReads;
    private boolean discarding;
    private boolean sinkFailed;
    private long bytesDiscarded;

    SpliceDirection(final SpliceSocketHandle source, final SpliceSocketHandle sink, final SpliceLoop loop)
    {
        this.source = source;
        this.sink = sink;
        this.loop = loop;
        this.pipes = loop.pipes();
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

    private void onSinkFailed()
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
     * The sink reset us (it closed and was then written to): nothing more can reach it. Drops the pipe
     * and from now on reads the source to its end and drops what it reads, so that closing the source's
     * socket later finds nothing unread (which would make Linux reset it and drop what we still queue
     * for it the other way).
     */
    void abandonSink()
    {
        if (discarding)
        {
            return;
        }
        discarding = true;
        discardPipe();
        if (state != DONE)
        {
            state = WAIT_SOURCE;
        }
    }

    long bytesWritten()
    {
        return bytesWritten;
    }

    /** Epoll reported EPOLLRDHUP or EPOLLHUP on the source: every byte it will send is queued. */
    void onSourceHungUp()
    {
        sourceHungUp = true;
    }

    /**
     * Moves bytes until the source has none, the sink takes no more, or the budget is spent.
     *
     * @param sourceReadable epoll just reported the source readable (EPOLLIN or a hang-up).
     * @return the new state.
     * @throws IOException on an error reading the source (reset): the connection must be aborted. An
     *                     error writing the sink abandons the sink instead (see {@link #takeSinkFailure}).
     */
    int pump(final boolean sourceReadable) throws IOException
    {
        if (state == DONE)
        {
            return DONE;
        }
        if (discarding)
        {
            return pumpToNowhere();
        }
        int reads = 0;
        while (true)
        {
            if (pipeBytes > 0)
            {
                final int written;
                try
                {
                    written = Native.splice(pipe.readFd(), -1, sink.fdInt(), -1, pipeBytes);
                }
                catch (final IOException | NotYetConnectedException sinkReset)
                {
                    onSinkFailed();
                    return state;
                }
                pipeBytes -= written;
                bytesWritten += written;
                if (pipeBytes > 0)
                {
                    return state = WAIT_SINK;
                }
            }
            else if (sourceEnded)
            {
                releasePipe();
                try
                {
                    sink.shutdownOutput();
                }
                catch (final IOException | NotYetConnectedException sinkReset)
                {
                    onSinkFailed();
                }
                return state = DONE;
            }
            else if (reads == MAX_READS_PER_PUMP)
            {
                return state = YIELDED;
            }
            else
            {
                if (pipe == null)
                {
                    pipe = pipes.acquire();
                }
                reads++;
                final int read = Native.splice(source.fdInt(), -1, pipe.writeFd(), -1, SPLICE_IN_MAX_BYTES);
                if (read > 0)
                {
                    pipeBytes = read;
                }
                else if (sourceHungUp || (sourceReadable && reads == 1))
                {
                    final int received = recvIntoPipe();
                    if (received < 0)
                    {
                        sourceEnded = true;
                    }
                    else if (received == 0)
                    {
                        releasePipe();
                        return state = WAIT_SOURCE;
                    }
                }
                else
                {
                    releasePipe();
                    return state = WAIT_SOURCE;
                }
            }
        }
    }

    private int pumpToNowhere() throws IOException
    {
        final ByteBuffer scratch = loop.scratch();
        for (int reads = 0; reads < MAX_READS_PER_PUMP; reads++)
        {
            final int received = source.recv(scratch);
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

    /** The recv(2) fallback: -1 at end of stream, 0 if nothing is queued, else bytes now in the pipe. */
    private int recvIntoPipe() throws IOException
    {
        final ByteBuffer scratch = loop.scratch();
        final int received = source.recv(scratch);
        if (received > 0)
        {
            final int filled = pipe.fill(scratch, received);
            if (filled != received)
            {
                throw new IOException("pipe took " + filled + " of " + received + " bytes");
            }
            pipeBytes = received;
            fallbackReads++;
        }
        return received;
    }

    /** Times splice(2) moved nothing but recv(2) found bytes (TCP urgent marks). */
    long fallbackReads()
    {
        return fallbackReads;
    }

    /** Gives the pipe back: to the pool when it is empty, closed (bytes dropped) otherwise. */
    void releasePipe()
    {
        final SplicePipe held = pipe;
        if (held != null)
        {
            pipe = null;
            if (pipeBytes == 0)
            {
                pipes.release(held);
            }
            else
            {
                pipeBytes = 0;
                held.close();
            }
        }
    }

    /** After an error mid-splice the pipe's content is unknown: never pool it. */
    void discardPipe()
    {
        final SplicePipe held = pipe;
        if (held != null)
        {
            pipe = null;
            pipeBytes = 0;
            held.close();
        }
    }
}
