package io.gatehouse.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records each completed transaction twice, in nanoseconds: <b>corrected</b>, from the time the
 * open-loop schedule intended to send it (so time spent waiting behind a stall counts, as wrk2
 * does), and <b>uncorrected</b>, from the time it was actually sent. Neither uses
 * {@code recordValueWithExpectedInterval}: the intended time already is the correction.
 *
 * <p>{@link #record} is called from any event loop (wait-free, allocation-free); the interval
 * methods from one reporting thread.
 */
public final class LatencyRecorder
{
    /** One hour: longer values are clamped (and still counted). */
    public static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;
    public static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder corrected = new Recorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    private final Recorder uncorrected = new Recorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    private volatile long measureFromNs = Long.MIN_VALUE;
    private final java.util.concurrent.atomic.LongAdder completions = new java.util.concurrent.atomic.LongAdder();

    /**
     * Transactions intended before {@code intendedNs} (the warm-up) are not recorded even when they
     * complete later, so a warm-up backlog never leaks into the measured window.
     */
    public void measureFrom(final long intendedNs)
    {
        measureFromNs = intendedNs;
    }

    /**
     * @param intendedNs when the schedule meant the transaction to start.
     * @param sentNs     when it actually started (never before {@code intendedNs} in an open loop).
     * @param doneNs     when it completed.
     */
    public void record(final long intendedNs, final long sentNs, final long doneNs)
    {
        completions.increment();
        final long fromNs = measureFromNs;
        if (fromNs != Long.MIN_VALUE && intendedNs - fromNs < 0)
        {
            return;
        }
        corrected.recordValue(clamp(doneNs - intendedNs));
        uncorrected.recordValue(clamp(doneNs - sentNs));
    }

    private static long clamp(final long valueNs)
    {
        if (valueNs < 1)
        {
            return 1;
        }
        return Math.min(valueNs, HIGHEST_TRACKABLE_NS);
    }

    /** Every completion so far, warm-up included (what got through, whatever its intended time). */
    public long completions()
    {
        return completions.sum();
    }

    /** The corrected values recorded since the last call (and resets the interval). */
    public Histogram correctedInterval()
    {
        return corrected.getIntervalHistogram();
    }

    /** The uncorrected values recorded since the last call (and resets the interval). */
    public Histogram uncorrectedInterval()
    {
        return uncorrected.getIntervalHistogram();
    }

    public static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }
}
