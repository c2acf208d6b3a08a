package io.gatehouse.router.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One listener's per-loop slices: sums on read, a never-negative open count, unrouted histograms, no allocation. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ListenerCountersTest
{
    @Test
    void shouldSumTheSlicesOfEveryLoop()
    {
        final ListenerCounters counters = new ListenerCounters("web", 2);
        counters.slice(0).onAccepted();
        counters.slice(1).onAccepted();
        counters.slice(1).onAccepted();
        counters.slice(1).onClosed(false, 5, 10);
        counters.slice(0).onClientToBackend(100);
        counters.slice(1).onClientToBackend(23);
        counters.slice(1).onBackendToClient(7);
        assertEquals("web", counters.listener());
        assertEquals(3, counters.accepted());
        assertEquals(1, counters.accepted(0));
        assertEquals(2, counters.accepted(1));
        assertEquals(1, counters.closed());
        assertEquals(2, counters.active());
        assertEquals(123, counters.bytesClientToBackend());
        assertEquals(7, counters.bytesBackendToClient());
    }

    @Test
    void shouldTimeOnlyUnroutedConnectionsAndOnlyPeeksThatDecided()
    {
        final ListenerCounters counters = new ListenerCounters("web", 1);
        final long[] cumulative = new long[DurationBuckets.COUNT];
        counters.slice(0).onClosed(false, 1_000, 2_000_000);
        counters.slice(0).onClosed(true, -1, 5_000_000_000L);
        counters.slice(0).onClosed(true, 50_000, 3_000_000);
        assertEquals(1, counters.durationCounts(RouteCounters.Duration.PEEK, cumulative), "a routed one is its route's");
        assertEquals(0.00005, counters.durationSumSeconds(RouteCounters.Duration.PEEK), 1e-12);
        assertEquals(2, counters.durationCounts(RouteCounters.Duration.CONNECTION, cumulative));
        assertEquals(1, cumulative[DurationBuckets.bucketOf(3_000_000)], "3 ms in its bucket, cumulative");
        assertEquals(5.003, counters.durationSumSeconds(RouteCounters.Duration.CONNECTION), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> counters.durationCounts(RouteCounters.Duration.CONNECT, cumulative));
    }

    @Test
    void shouldNeverReadMoreClosedThanAcceptedWhileLoopsWrite() throws Exception
    {
        final ListenerCounters counters = new ListenerCounters("web", 2);
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread[] loops = new Thread[2];
        for (int i = 0; i < loops.length; i++)
        {
            final ListenerCounters.Slice slice = counters.slice(i);
            loops[i] = new Thread(() ->
            {
                while (running.get())
                {
                    slice.onAccepted();
                    slice.onClosed(true, -1, 1);
                }
            });
            loops[i].start();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        long reads = 0;
        while (System.nanoTime() - deadlineNs < 0)
        {
            // Closed is read first: accepts made during the read may inflate it, a close never makes it negative.
            final long active = counters.active();
            assertTrue(active >= 0, "open connections read as " + active);
            reads++;
        }
        running.set(false);
        for (final Thread loop : loops)
        {
            loop.join();
        }
        assertEquals(0, counters.active());
        assertTrue(counters.accepted() > 1_000 && reads > 1_000, counters.accepted() + " accepted, " + reads + " reads");
    }

    @Test
    void shouldNotAllocateOnTheDataPath()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ListenerCounters counters = new ListenerCounters("web", 1);
        final ListenerCounters.Slice slice = counters.slice(0);
        for (int i = 0; i < 200_000; i++)
        {
            connection(slice, i);
        }
        final long thread = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 1_000_000; i++)
        {
            connection(slice, i);
        }
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < 1_024, "allocated " + allocated + " bytes over 1,000,000 connections");
        assertEquals(1_200_000, counters.closed());
    }

    private static void connection(final ListenerCounters.Slice slice, final int i)
    {
        slice.onAccepted();
        slice.onClientToBackend(517);
        slice.onBackendToClient(4096);
        slice.onClosed((i & 1) == 0, i, 1_000L * i);
    }
}
