package io.gatehouse.router.relay;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One way of a spliced connection: source socket -> pipe -> sink socket, and the proof it loses
 * nothing (with the rules every {@link RawDirection} keeps).
 *
 * <p>The rules splice(2) adds:
 * <ul>
 *   <li>It splices from the source only into an EMPTY pipe. An empty pipe always has room, so a
 *       splice that moves 0 bytes means "nothing to read now" or "end of stream", never "pipe full".</li>
 *   <li>0 bytes is examined as a possible end of stream only after epoll said the source hung up
 *       (EPOLLRDHUP or EPOLLHUP, noted by its handle whoever heard it; TCP has queued every byte before
 *       the FIN by then), and the end is confirmed by recv(2) returning end of stream. Before a hang-up,
 *       0 bytes means wait for the next edge: the FIN raises one.</li>
 * </ul>
 *
 * <p>Event loop thread only; not thread-safe; allocates nothing (pipes come from the pool).
 */
final class SpliceDirection extends RawDirection
{
    /** Most bytes asked of one splice from the source; the kernel caps it at the pipe's room. */
    static final int SPLICE_IN_MAX_BYTES = 1 << 20;

    private final SplicePipePool pipes;
    private SplicePipe pipe;
    private int pipeBytes;
    private long fallbackReads;

    SpliceDirection(final SpliceSocketHandle source, final SpliceSocketHandle sink, final SpliceLoop loop)
    {
        super(source, sink, loop);
        this.pipes = loop.pipes();
    }

    @Override
    int pumpBytes(final boolean sourceReadable) throws IOException
    {
        int reads = 0;
        while (true)
        {
            if (pipeBytes > 0)
            {
                final int written = sink.spliceFrom(pipe.readFd(), pipeBytes);
                if (written == SpliceSocketHandle.FAILED)
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
                return shutDownSink();
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
                final int read = source.spliceInto(pipe.writeFd(), SPLICE_IN_MAX_BYTES);
                if (read == SpliceSocketHandle.FAILED)
                {
                    return SOURCE_FAILED;
                }
                if (read > 0)
                {
                    pipeBytes = read;
                }
                else if (isSourceHungUp() || (sourceReadable && reads == 1))
                {
                    final int received = recvIntoPipe();
                    if (received == SpliceSocketHandle.FAILED)
                    {
                        return SOURCE_FAILED;
                    }
                    if (received < 0)
                    {
                        sourceEnded = true;
                    }
                    else if (received == 0)
                    {
                        release();
                        return state = WAIT_SOURCE;
                    }
                }
                else
                {
                    release();
                    return state = WAIT_SOURCE;
                }
            }
        }
    }

    /** The recv(2) fallback: -1 at end of stream, 0 if nothing is queued, {@link SpliceSocketHandle#FAILED}, else bytes now in the pipe. */
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

    @Override
    long fallbackReads()
    {
        return fallbackReads;
    }

    /** Gives the pipe back: to the pool when it is empty, closed (bytes dropped) otherwise. */
    @Override
    void release()
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
    @Override
    void discard()
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
