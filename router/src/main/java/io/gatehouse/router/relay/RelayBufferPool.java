package io.gatehouse.router.relay;

import io.netty.util.internal.PlatformDependent;

import java.nio.ByteBuffer;

/**
 * The idle copy buffers of one event loop (held by its {@link SpliceLoop}). A {@link BufferDirection}
 * takes a buffer only while bytes are in flight, so a loop needs about one per direction the sink is
 * slower than its source; it keeps at most {@link #MAX_IDLE_BUFFERS} spare ones and frees the rest.
 *
 * <p>Event loop thread only; not thread-safe. Allocates a direct buffer only when the pool is empty;
 * frees every buffer it holds when its loop's thread ends.
 */
final class RelayBufferPool
{
    /** The most one read takes: HAProxy's and nginx's default buffer is 16 KiB; this is a pipe's size. */
    static final int BUFFER_BYTES = 64 * 1024;
    static final int MAX_IDLE_BUFFERS = 8;

    private final ByteBuffer[] idle;
    private int idleCount;
    private long allocated;

    RelayBufferPool(final int maxIdle)
    {
        idle = new ByteBuffer[maxIdle];
    }

    /**
     * @return the direct buffer's native address, or 0 when Netty has no access to it: passing the
     *         address saves the JNI lookup of it in every recv(2) and send(2).
     */
    static long addressOf(final ByteBuffer buffer)
    {
        return PlatformDependent.hasUnsafe() ? PlatformDependent.directBufferAddress(buffer) : 0;
    }

    ByteBuffer acquire()
    {
        if (idleCount > 0)
        {
            final ByteBuffer buffer = idle[--idleCount];
            idle[idleCount] = null;
            return buffer;
        }
        allocated++;
        return ByteBuffer.allocateDirect(BUFFER_BYTES);
    }

    void release(final ByteBuffer buffer)
    {
        if (idleCount < idle.length)
        {
            idle[idleCount++] = buffer;
        }
        else
        {
            PlatformDependent.freeDirectBuffer(buffer);
        }
    }

    int idleCount()
    {
        return idleCount;
    }

    /** Buffers allocated since the loop started (tests: one per burst, not one per read). */
    long allocated()
    {
        return allocated;
    }

    void freeAll()
    {
        while (idleCount > 0)
        {
            final ByteBuffer buffer = idle[--idleCount];
            idle[idleCount] = null;
            PlatformDependent.freeDirectBuffer(buffer);
        }
    }
}
