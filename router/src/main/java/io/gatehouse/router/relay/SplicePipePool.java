package io.gatehouse.router.relay;

import java.io.IOException;

/**
 * The idle pipes of one event loop (held by its {@link SpliceLoop}). A direction takes a pipe only while bytes are in flight and hands
 * it back empty, so an idle connection holds no pipe and a loop keeps at most {@link #MAX_IDLE_PIPES}
 * spare ones (two file descriptors each). Pipes holding bytes are never pooled: they are closed.
 *
 * <p>Event loop thread only; not thread-safe. Allocates a pipe only when the pool is empty. The pool
 * closes its pipes when its loop's thread ends.
 */
final class SplicePipePool
{
    static final int MAX_IDLE_PIPES = 32;
    private final SplicePipe[] idle;
    private int idleCount;
    private long opened;

    SplicePipePool(final int maxIdle)
    {
        idle = new SplicePipe[maxIdle];
    }

    SplicePipe acquire() throws IOException
    {
        if (idleCount > 0)
        {
            final SplicePipe pipe = idle[--idleCount];
            idle[idleCount] = null;
            return pipe;
        }
        final SplicePipe pipe = SplicePipe.open();
        opened++;
        return pipe;
    }

    /** Takes back a pipe that holds no bytes. */
    void release(final SplicePipe emptyPipe)
    {
        if (idleCount < idle.length)
        {
            idle[idleCount++] = emptyPipe;
        }
        else
        {
            emptyPipe.close();
        }
    }

    int idleCount()
    {
        return idleCount;
    }

    /** Pipes created since the pool was, a measure of how well pooling works. */
    long openedCount()
    {
        return opened;
    }

    void closeAll()
    {
        while (idleCount > 0)
        {
            final SplicePipe pipe = idle[--idleCount];
            idle[idleCount] = null;
            pipe.close();
        }
    }
}
