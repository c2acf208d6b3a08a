package io.gatehouse.router.loop;

import io.gatehouse.router.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The workers' tick, posted from one thread: it arrives, it does not pile up on a slow loop, and it stops. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TickSourceTest
{
    private static final long PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(5);

    @Test
    void shouldPostTicksToEveryLoopUntilCancelled() throws Exception
    {
        final TickSource source = new TickSource(PERIOD_NS);
        final AtomicInteger first = new AtomicInteger();
        final AtomicInteger second = new AtomicInteger();
        final TickSource.Subscription one = source.subscribe(Runnable::run, first::incrementAndGet);
        final TickSource.Subscription two = source.subscribe(Runnable::run, second::incrementAndGet);
        Await.until("both loops tick", () -> first.get() >= 3 && second.get() >= 3);
        one.cancel();
        final int atCancel = first.get();
        Thread.sleep(50);
        assertEquals(atCancel, first.get(), "no tick after cancel");
        final int before = second.get();
        Await.until("the other loop still ticks", () -> second.get() > before + 2);
        two.cancel();
    }

    @Test
    void shouldQueueAtMostOneTickOnALoopThatFallsBehind() throws Exception
    {
        final TickSource source = new TickSource(PERIOD_NS);
        final ArrayDeque<Runnable> queued = new ArrayDeque<>();
        final Executor stalled = task ->
        {
            synchronized (queued)
            {
                queued.add(task);
            }
        };
        final AtomicInteger ticks = new AtomicInteger();
        final TickSource.Subscription subscription = source.subscribe(stalled, ticks::incrementAndGet);
        Await.until("a tick is queued", () -> size(queued) == 1);
        Thread.sleep(60); // a dozen periods with the loop not running its tasks
        assertEquals(1, size(queued), "one tick waits, not a backlog");
        final Runnable tick;
        synchronized (queued)
        {
            tick = queued.poll();
        }
        tick.run();
        assertEquals(1, ticks.get());
        Await.until("the next tick is queued once the last ran", () -> size(queued) == 1);
        subscription.cancel();
        synchronized (queued)
        {
            queued.poll().run();
        }
        assertEquals(1, ticks.get(), "a tick queued before the cancel does nothing after it");
    }

    @Test
    void shouldDropALoopThatNoLongerTakesTasks() throws Exception
    {
        final TickSource source = new TickSource(PERIOD_NS);
        final AtomicInteger offered = new AtomicInteger();
        final Executor closed = task ->
        {
            offered.incrementAndGet();
            throw new RejectedExecutionException("shut down");
        };
        final AtomicInteger alive = new AtomicInteger();
        source.subscribe(closed, () -> { });
        final TickSource.Subscription other = source.subscribe(Runnable::run, alive::incrementAndGet);
        Await.until("the live loop ticks on", () -> alive.get() >= 5);
        assertEquals(1, offered.get(), "a refused loop is not offered again");
        assertTrue(alive.get() >= 5);
        other.cancel();
    }

    private static int size(final ArrayDeque<Runnable> queue)
    {
        synchronized (queue)
        {
            return queue.size();
        }
    }
}
