package io.gatehouse.router;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector (PARANOID in surefire's argLine) reports a leaked buffer.
 * Netty reports a leak through its logger {@code io.netty.util.ResourceLeakDetector} (java.util.logging
 * here) when a tracked buffer is garbage collected unreleased; this guard records those reports, and after
 * the class's tests forces collections and fresh allocations (which make the detector drain its queue),
 * then fails if anything was reported.
 */
public final class LeakGuard implements BeforeAllCallback, AfterAllCallback
{
    private static final Logger DETECTOR_LOG = Logger.getLogger(ResourceLeakDetector.class.getName());
    private static final List<String> LEAKS = new ArrayList<>();
    private static final Handler RECORDER = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue() && String.valueOf(record.getMessage()).contains("LEAK"))
            {
                synchronized (LEAKS)
                {
                    LEAKS.add(String.valueOf(record.getMessage()));
                }
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    static
    {
        DETECTOR_LOG.addHandler(RECORDER);
    }

    @Override
    public void beforeAll(final ExtensionContext context)
    {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID)
        {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=paranoid");
        }
        takeLeaks();
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        final List<String> leaks = collectLeaks();
        if (!leaks.isEmpty())
        {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported by Netty:\n" + leaks.get(0));
        }
    }

    /** Forces the detector to look at everything collectable now and returns (and forgets) what it reported. */
    public static List<String> collectLeaks()
    {
        for (int round = 0; round < 4; round++)
        {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 64; i++)
            {
                ByteBufAllocator.DEFAULT.directBuffer(16).release();
                ByteBufAllocator.DEFAULT.heapBuffer(16).release();
            }
        }
        return takeLeaks();
    }

    private static List<String> takeLeaks()
    {
        synchronized (LEAKS)
        {
            final List<String> taken = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return taken;
        }
    }
}
