package io.gatehouse.sni;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** After warm-up, parsing allocates nothing: every kind of flight, whole and one byte at a time. */
class AllocationTest
{
    private static final int PARSES = 10_000;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldAllocateNothingPerParseAfterWarmUp()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        final List<byte[]> seeds = Seeds.all();
        final UnsafeBuffer[] buffers = new UnsafeBuffer[seeds.size()];
        final int[] lengths = new int[seeds.size()];
        for (int i = 0; i < buffers.length; i++)
        {
            buffers[i] = new UnsafeBuffer(seeds.get(i));
            lengths[i] = seeds.get(i).length;
        }
        final FirstFlightParser parser = new FirstFlightParser();
        final long threadId = Thread.currentThread().getId();

        long sink = run(parser, buffers, lengths);
        final long before = threads.getThreadAllocatedBytes(threadId);
        sink += run(parser, buffers, lengths);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertEquals(0, allocated, "bytes allocated over " + PARSES * buffers.length + " parses (sink " + sink + ")");
    }

    private static long run(final FirstFlightParser parser, final UnsafeBuffer[] buffers, final int[] lengths)
    {
        long sink = 0;
        for (int n = 0; n < PARSES; n++)
        {
            for (int i = 0; i < buffers.length; i++)
            {
                parser.reset();
                sink += parser.parse(buffers[i], 0, lengths[i]).ordinal() + parser.nameLength();
            }
            parser.reset();
            final int i = n % buffers.length;
            for (int length = 1; length <= lengths[i] && parser.parse(buffers[i], 0, length) == PeekStatus.NEED_MORE_DATA; length++)
            {
                sink++;
            }
        }
        return sink;
    }
}
