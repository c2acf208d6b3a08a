package io.gatehouse.loadgen;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failures by {@link ErrorKind}, counted from every event loop; read and snapshotted by the main
 * thread. Also keeps the first failure's description so a report can say what went wrong.
 */
public final class ErrorCounts
{
    private final LongAdder[] counts = new LongAdder[ErrorKind.values().length];
    private final AtomicReference<String> firstError = new AtomicReference<>();

    public ErrorCounts()
    {
        for (int i = 0; i < counts.length; i++)
        {
            counts[i] = new LongAdder();
        }
    }

    public void increment(final ErrorKind kind, final String detail)
    {
        counts[kind.ordinal()].increment();
        if (firstError.get() == null)
        {
            firstError.compareAndSet(null, kind.key() + ": " + detail);
        }
    }

    public long get(final ErrorKind kind)
    {
        return counts[kind.ordinal()].sum();
    }

    public Map<ErrorKind, Long> snapshot()
    {
        final Map<ErrorKind, Long> snapshot = new EnumMap<>(ErrorKind.class);
        for (final ErrorKind kind : ErrorKind.values())
        {
            snapshot.put(kind, counts[kind.ordinal()].sum());
        }
        return snapshot;
    }

    public long total()
    {
        long total = 0;
        for (final LongAdder count : counts)
        {
            total += count.sum();
        }
        return total;
    }

    /** The first failure seen, {@code "kind: detail"}, or {@code null}. */
    public String firstError()
    {
        return firstError.get();
    }
}
