package io.gatehouse.router.relay;

import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The idle pipes of one event loop, and its recv(2) scratch buffer. A direction takes a pipe only while bytes are in flight and hands
 * it back empty, so an idle connection holds no pipe and a loop keeps at most {@link #MAX_IDLE_PIPES}
 * spare ones (two file descriptors each). Pipes holding bytes are never pooled: they are closed.
 *
 * <p>The scratch buffer serves {@link SpliceDirection}'s rare recv(2) fallback; one per loop.
 *
 * <p>Event loop thread only; not thread-safe. Allocates a pipe only when the pool is empty. The pool
 * closes its pipes when its thread ends (Netty's event loops remove their fast thread locals then).
 */
final class SplicePipePool
{
    static final int MAX_IDLE_PIPES = 32;
    /** Less than a default pipe's 64 KiB, so that what recv returns always fits an empty pipe. */
    static final int SCRATCH_BYTES = 16 * 1024;

    private static final FastThreadLocal<SplicePipePool> POOLS = new FastThreadLocal<>()
    {
        @Override
        protected SplicePipePool initialValue()
        {
            return new SplicePipePool(MAX_IDLE_PIPES);
        }

        @Override
        protected void onRemoval(final SplicePipePool pool)
        {
            pool.closeAll();
        }
    };

    private final SplicePipe[] idle;
    private ByteBuffer scratch;
    private int idleCount;
    private long opened;

    SplicePipePool(final int maxIdle)
    {
        idle = new SplicePipe[maxIdle];
    }

    /** The pool of the calling event loop thread. */
    static SplicePipePool current()
    {
        return POOLS.get();
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

    ByteBuffer scratch()
    {
        ByteBuffer buffer = scratch;
        if (buffer == null)
        {
            buffer = scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
        }
        return buffer;
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
