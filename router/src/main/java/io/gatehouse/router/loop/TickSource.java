package io.gatehouse.router.loop;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The workers' timer tick, posted to each event loop as a plain task from one daemon thread, instead of a
 * task on the loop's own schedule.
 *
 * <p>Why not {@code loop.scheduleAtFixedRate}: while any task sits on a Netty loop's schedule, the loop reads
 * the clock several times per turn to learn whether it is due ({@code canBlock()} twice, then the task
 * run's deadline), and the worker's tick is always there. Under keep-alive that was 13-16% of the loop's
 * user time in {@code clock_gettime} (bench-results/2026-12-02-loop-overheads.md). With an empty schedule a
 * turn reads no clock at all; the tick thread wakes each loop once per period, as the loop's timerfd did.
 *
 * <p>A tick still waiting on its loop's queue is not posted again: a loop that falls behind gets one tick,
 * late, not a backlog. A loop that no longer takes tasks (shutting down) is dropped.
 *
 * <p>Thread-safe. The thread starts with the first subscriber and parks (it does not end) when none is left.
 */
public final class TickSource
{
    private static final TickSource SHARED = new TickSource(Worker.TICK_NS);

    private final long periodNs;
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread thread;

    TickSource(final long periodNs)
    {
        this.periodNs = periodNs;
    }

    /** The process's tick thread, shared by every worker. */
    public static TickSource shared()
    {
        return SHARED;
    }

    /**
     * Posts {@code tick} to {@code loop} once per period until the subscription is cancelled.
     *
     * @return the handle that cancels it.
     */
    public Subscription subscribe(final Executor loop, final Runnable tick)
    {
        final Subscription subscription = new Subscription(this, loop, tick);
        subscriptions.add(subscription);
        if (started.compareAndSet(false, true))
        {
            final Thread ticker = new Thread(this::run, "gatehouse-tick");
            ticker.setDaemon(true);
            thread = ticker;
            ticker.start();
        }
        else
        {
            LockSupport.unpark(thread);
        }
        return subscription;
    }

    private void run()
    {
        long nextNs = System.nanoTime() + periodNs;
        while (true)
        {
            if (subscriptions.isEmpty())
            {
                LockSupport.park(this);
                nextNs = System.nanoTime() + periodNs;
                continue;
            }
            final long waitNs = nextNs - System.nanoTime();
            if (waitNs > 0)
            {
                LockSupport.parkNanos(this, waitNs);
                continue;
            }
            for (final Subscription subscription : subscriptions)
            {
                subscription.post();
            }
            nextNs += periodNs;
            final long now = System.nanoTime();
            if (now - nextNs > periodNs)
            {
                nextNs = now + periodNs; // stalled (suspended, starved): no burst of ticks to catch up
            }
        }
    }

    /** One loop's tick. */
    public static final class Subscription implements Runnable
    {
        private final TickSource source;
        private final Executor loop;
        private final Runnable tick;
        private final AtomicBoolean pending = new AtomicBoolean();
        private volatile boolean cancelled;

        Subscription(final TickSource source, final Executor loop, final Runnable tick)
        {
            this.source = source;
            this.loop = loop;
            this.tick = tick;
        }

        /** Tick thread: queue the tick on the loop unless one is still queued there. */
        void post()
        {
            if (cancelled || !pending.compareAndSet(false, true))
            {
                return;
            }
            try
            {
                loop.execute(this);
            }
            catch (final RejectedExecutionException shuttingDown)
            {
                cancel();
            }
        }

        /** The loop: one tick. */
        @Override
        public void run()
        {
            pending.set(false);
            if (!cancelled)
            {
                tick.run();
            }
        }

        /** Any thread: no tick is posted after this returns; one already queued does nothing. */
        public void cancel()
        {
            cancelled = true;
            source.subscriptions.remove(this);
        }
    }
}
