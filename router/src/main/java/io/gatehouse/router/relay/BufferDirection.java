package io.gatehouse.router.relay;

import java.nio.ByteBuffer;

/**
 * One way of a copied connection on raw file descriptors: recv(2) from the source into a buffer, send(2)
 * from it to the sink, with the rules every {@link RawDirection} keeps. The {@code relay: copy} mode on
 * the epoll transport: one read and one write system call per chunk, as HAProxy and nginx make, and no
 * Netty pipeline, promise or buffer object per read.
 *
 * <p>A direction holds a buffer from its loop's {@link RelayBufferPool} only while bytes are in
 * flight: a read the sink takes whole gives the buffer straight back, so an idle connection holds none
 * and a loop of many connections passing small messages uses one or two. recv(2) reports an end of
 * stream itself, so no hang-up from epoll is needed to confirm one. A read shorter than the buffer
 * emptied the socket's queue (unless its FIN is queued behind: see {@link SpliceSocketHandle#hungUp}), so it
 * is not followed by a read that would only say EAGAIN (nginx's rule too): the next bytes raise an edge.
 *
 * <p>Event loop thread only; not thread-safe; allocates nothing (buffers come from the pool).
 */
final class BufferDirection extends RawDirection
{
    private final RelayBufferPool buffers;
    private ByteBuffer buffer;
    /** The buffer's native address, or 0 where Netty cannot read it (then the ByteBuffer is passed). */
    private long address;
    private int offset;
    private int held;

    BufferDirection(final SpliceSocketHandle source, final SpliceSocketHandle sink, final SpliceLoop loop)
    {
        super(source, sink, loop);
        this.buffers = loop.buffers();
    }

    @Override
    int pumpBytes(final boolean sourceReadable)
    {
        int reads = 0;
        while (true)
        {
            if (held > 0)
            {
                final int written = sink.send(buffer, address, offset, held);
                if (written == SpliceSocketHandle.FAILED)
                {
                    onSinkFailed();
                    return state;
                }
                offset += written;
                held -= written;
                bytesWritten += written;
                if (held > 0)
                {
                    return state = WAIT_SINK;
                }
                if (!source.readable)
                {
                    // The last read was short (or said EAGAIN) and no edge came since: a recv(2) now would
                    // only say EAGAIN. What arrives next (bytes or the FIN) raises an edge.
                    release();
                    return state = WAIT_SOURCE;
                }
            }
            else if (sourceEnded)
            {
                return shutDownSink();
            }
            else if (reads == MAX_READS_PER_PUMP)
            {
                release();
                return state = YIELDED;
            }
            else
            {
                if (buffer == null)
                {
                    buffer = buffers.acquire();
                    address = RelayBufferPool.addressOf(buffer);
                }
                reads++;
                final int received = source.recv(buffer, address);
                if (received == SpliceSocketHandle.FAILED)
                {
                    return SOURCE_FAILED;
                }
                if (received > 0)
                {
                    offset = 0;
                    held = received;
                }
                else if (received < 0)
                {
                    sourceEnded = true;
                }
                else
                {
                    release();
                    return state = WAIT_SOURCE;
                }
            }
        }
    }

    /** Gives the buffer back to the pool; bytes still in it (an abort) are dropped. */
    @Override
    void release()
    {
        final ByteBuffer taken = buffer;
        if (taken != null)
        {
            buffer = null;
            address = 0;
            offset = 0;
            held = 0;
            buffers.release(taken);
        }
    }

    @Override
    void discard()
    {
        release();
    }
}
