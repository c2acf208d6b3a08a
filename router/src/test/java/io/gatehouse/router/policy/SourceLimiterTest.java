package io.gatehouse.router.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatehouse.router.config.SourceLimitConfig;
import java.net.InetAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SourceLimiterTest
{
    private final AtomicLong nowNs = new AtomicLong(1_000_000_000_000L);

    private static InetAddress address(final String text) throws Exception
    {
        return InetAddress.getByName(text);
    }

    @Test
    void shouldRefuseASourceOverItsConnectionLimitUntilOneCloses() throws Exception
    {
        final SourceLimiter limiter = new SourceLimiter(new SourceLimitConfig(2, 0, 0), 100, nowNs::get);
        final InetAddress a = address("127.0.0.2");
        final InetAddress b = address("::1");
        assertEquals(RejectReason.NONE, limiter.acquire(a));
        assertEquals(RejectReason.NONE, limiter.acquire(a));
        assertEquals(RejectReason.SOURCE_CONNECTION_LIMIT, limiter.acquire(a));
        assertEquals(RejectReason.NONE, limiter.acquire(b));
        assertEquals(RejectReason.NONE, limiter.acquire(b));
        assertEquals(RejectReason.SOURCE_CONNECTION_LIMIT, limiter.acquire(b));
        limiter.release(a);
        assertEquals(1, limiter.openConnections(a));
        assertEquals(RejectReason.NONE, limiter.acquire(a));
        limiter.release(a);
        limiter.release(a);
        assertEquals(0, limiter.openConnections(a));
        assertEquals(1, limiter.trackedSources());
    }

    @Test
    void shouldAllowABurstThenRefillAtTheConfiguredRateAsTheClockMoves() throws Exception
    {
        final SourceLimiter limiter = new SourceLimiter(new SourceLimitConfig(0, 10, 3), 100, nowNs::get);
        final InetAddress a = address("127.0.0.2");
        for (int i = 0; i < 3; i++)
        {
            assertEquals(RejectReason.NONE, limiter.acquire(a), "burst " + i);
            limiter.release(a);
        }
        assertEquals(RejectReason.SOURCE_RATE_LIMIT, limiter.acquire(a));
        assertEquals(RejectReason.NONE, limiter.acquire(address("127.0.0.3")));
        nowNs.addAndGet(99_000_000L);
        assertEquals(RejectReason.SOURCE_RATE_LIMIT, limiter.acquire(a));
        nowNs.addAndGet(1_000_000L);
        assertEquals(RejectReason.NONE, limiter.acquire(a));
        assertEquals(RejectReason.SOURCE_RATE_LIMIT, limiter.acquire(a));
        nowNs.addAndGet(TimeUnit.SECONDS.toNanos(10));
        int admitted = 0;
        while (limiter.acquire(a) == RejectReason.NONE)
        {
            admitted++;
        }
        assertEquals(3, admitted, "a long idle time refills only up to the burst");
    }

    @Test
    void shouldFailClosedWhenTheTableIsFullOfBusySourcesAndEvictIdleOnes() throws Exception
    {
        final SourceLimiter limiter = new SourceLimiter(new SourceLimitConfig(5, 1, 1), 2, nowNs::get);
        final InetAddress a = address("127.0.0.2");
        final InetAddress b = address("127.0.0.3");
        final InetAddress c = address("127.0.0.4");
        assertEquals(RejectReason.NONE, limiter.acquire(a));
        assertEquals(RejectReason.NONE, limiter.acquire(b));
        assertEquals(RejectReason.SOURCE_TABLE_FULL, limiter.acquire(c));
        limiter.release(b);
        assertEquals(2, limiter.trackedSources(), "b's bucket is not full yet: kept");
        nowNs.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertEquals(RejectReason.NONE, limiter.acquire(c), "the sweep evicted idle b");
        assertEquals(2, limiter.trackedSources());
        assertEquals(1, limiter.openConnections(a));
    }

    @Test
    void shouldTrackNothingWhenNoLimitIsSet() throws Exception
    {
        final SourceLimiter limiter = new SourceLimiter(SourceLimitConfig.NONE, 1, nowNs::get);
        for (int i = 0; i < 10; i++)
        {
            assertEquals(RejectReason.NONE, limiter.acquire(address("127.0.0." + (i + 2))));
        }
        assertEquals(0, limiter.trackedSources());
    }

    @Test
    void shouldCountExactlyUnderConcurrentAcquireAndRelease() throws Exception
    {
        final int limit = 7;
        final SourceLimiter limiter = new SourceLimiter(new SourceLimitConfig(limit, 0, 0), 100, System::nanoTime);
        final InetAddress a = address("127.0.0.2");
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        final int threads = 4;
        final CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++)
        {
            new Thread(() ->
            {
                for (int i = 0; i < 20_000; i++)
                {
                    if (limiter.acquire(a) == RejectReason.NONE)
                    {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        inside.decrementAndGet();
                        limiter.release(a);
                    }
                }
                done.countDown();
            }).start();
        }
        done.await();
        assertEquals(0, limiter.openConnections(a));
        assertEquals(true, maxInside.get() <= limit, "max inside " + maxInside.get());
    }
}
