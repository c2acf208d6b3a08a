package io.gatehouse.router.relay;

import io.netty.util.concurrent.FastThreadLocal;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The raw-fd relay's state for one event loop: its pipe pool, its copy buffer pool, its recv(2) scratch
 * buffer and the list of its live connections.
 *
 * <p>The list exists because Netty 4.2.18 can terminate a loop without closing its registrations:
 * {@code SingleThreadIoEventLoop.run()} calls {@code IoHandler.prepareToDestroy()} only when it sees the
 * shutdown right after an I/O pass, and a shutdown that lands while it runs tasks ends the loop without
 * it (seen here: about one shutdown in three with full pipes). When the loop's thread ends, Netty
 * removes its fast thread locals; this class closes every connection still open then, so no socket or
 * pipe outlives its loop either way.
 *
 * <p>A connection that ends while the loop hands out an epoll batch closes its sockets after the batch
 * ({@link #closeAfterBatch}): the batch may still hold an event for its other socket, and Netty answers
 * an event for an fd it no longer knows with an EPOLL_CTL_DEL that fails and a stack-traced exception.
 * Kept registered until then, the handle takes that event and ignores it; closed then, each fd leaves
 * epoll with its close, so neither needs an EPOLL_CTL_DEL.
 *
 * <p>Event loop thread only; not thread-safe. Allocates the pool, the scratch buffer (once) and
 * nothing per connection (both lists are intrusive).
 */
final class SpliceLoop
{
    /** Less than a default pipe's 64 KiB, so that what recv returns always fits an empty pipe. */
    static final int SCRATCH_BYTES = 16 * 1024;

    private static final FastThreadLocal<SpliceLoop> LOOPS = new FastThreadLocal<>()
    {
        @Override
        protected SpliceLoop initialValue()
        {
            return new SpliceLoop();
        }

        @Override
        protected void onRemoval(final SpliceLoop loop)
        {
            loop.closeAll();
        }
    };

    private final SplicePipePool pipes = new SplicePipePool(SplicePipePool.MAX_IDLE_PIPES);
    private final RelayBufferPool buffers = new RelayBufferPool(RelayBufferPool.MAX_IDLE_BUFFERS);
    private ByteBuffer scratch;
    private final Runnable afterBatch = this::afterBatch;
    private boolean afterBatchScheduled;
    private SpliceConnection firstLive;
    private int liveCount;
    /** Ended in this batch, sockets still open (linked through {@code nextLive}, off the live list). */
    private SpliceConnection firstEnded;
    /** Stopped at their budget in this batch (linked through {@code nextResume}). */
    private SpliceConnection firstResume;

    /** The state of the calling event loop thread. */
    static SpliceLoop current()
    {
        return LOOPS.get();
    }

    SplicePipePool pipes()
    {
        return pipes;
    }

    RelayBufferPool buffers()
    {
        return buffers;
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

    int liveCount()
    {
        return liveCount;
    }

    void add(final SpliceConnection connection)
    {
        connection.nextLive = firstLive;
        connection.previousLive = null;
        if (firstLive != null)
        {
            firstLive.previousLive = connection;
        }
        firstLive = connection;
        liveCount++;
    }

    void remove(final SpliceConnection connection)
    {
        if (connection.previousLive != null)
        {
            connection.previousLive.nextLive = connection.nextLive;
        }
        else if (firstLive == connection)
        {
            firstLive = connection.nextLive;
        }
        else
        {
            return;
        }
        if (connection.nextLive != null)
        {
            connection.nextLive.previousLive = connection.previousLive;
        }
        connection.previousLive = null;
        connection.nextLive = null;
        liveCount--;
    }

    /**
     * {@code connection} ended (it is off the live list): close its sockets once the loop has handed out
     * the rest of this batch, from a task that runs before the loop waits again.
     */
    void closeAfterBatch(final SpliceConnection connection, final Executor loop)
    {
        connection.nextLive = firstEnded;
        firstEnded = connection;
        scheduleAfterBatch(loop);
    }

    /**
     * {@code connection} stopped a way at its read budget with the source still readable: edge-triggered,
     * epoll will not say so again, so it goes on from a task once the loop has handed out the rest of this
     * batch (every other ready connection has had its turn by then).
     */
    void resumeAfterBatch(final SpliceConnection connection, final Executor loop)
    {
        connection.nextResume = firstResume;
        firstResume = connection;
        scheduleAfterBatch(loop);
    }

    /** One task per batch for both lists: it runs before the loop waits again. */
    private void scheduleAfterBatch(final Executor loop)
    {
        if (!afterBatchScheduled)
        {
            afterBatchScheduled = true;
            try
            {
                loop.execute(afterBatch);
            }
            catch (final RejectedExecutionException shuttingDown)
            {
                afterBatch();
            }
        }
    }

    private void afterBatch()
    {
        afterBatchScheduled = false;
        closeEnded();
        resumeYielded();
    }

    /** The ways that yielded move on (a connection that ended meanwhile does nothing). */
    private void resumeYielded()
    {
        SpliceConnection connection = firstResume;
        firstResume = null;
        while (connection != null)
        {
            final SpliceConnection next = connection.nextResume;
            connection.nextResume = null;
            connection.resume();
            connection = next;
        }
    }

    private void closeEnded()
    {
        while (firstEnded != null)
        {
            final SpliceConnection connection = firstEnded;
            firstEnded = connection.nextLive;
            connection.nextLive = null;
            connection.closeSockets();
        }
    }

    void closeAll()
    {
        while (firstLive != null)
        {
            final SpliceConnection connection = firstLive;
            remove(connection);
            try
            {
                connection.onLoopClosing();
            }
            catch (final RuntimeException observerFailure)
            {
                // The connection released its sockets and pipes before calling its observer.
            }
        }
        closeEnded();
        pipes.closeAll();
        buffers.freeAll();
    }
}
