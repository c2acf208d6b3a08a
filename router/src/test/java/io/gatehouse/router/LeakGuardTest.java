package io.gatehouse.router;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guard that fails the build on a leak must itself see a leak. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeakGuardTest
{
    @Test
    void shouldReportABufferThatWasNeverReleased()
    {
        LeakGuard.collectLeaks();
        leakOne();
        boolean seen = false;
        for (int i = 0; i < 20 && !seen; i++)
        {
            seen = !LeakGuard.collectLeaks().isEmpty();
        }
        assertTrue(seen, "a deliberately leaked buffer was not reported");
    }

    @Test
    void shouldReportNothingWhenEveryBufferIsReleased()
    {
        LeakGuard.collectLeaks();
        for (int i = 0; i < 100; i++)
        {
            ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(i).release();
        }
        assertFalse(!LeakGuard.collectLeaks().isEmpty(), "released buffers were reported as leaks");
    }

    private static void leakOne()
    {
        final ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
        leaked.touch("deliberate leak");
    }
}
