package io.gatehouse.loadgen;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one load run measured (after its warm-up). Immutable once returned.
 *
 * @param settings         what was asked.
 * @param measuredNs       the measured time (warm-up excluded).
 * @param count            transactions completed during the measured time, whatever their intended time (so at
 *                         saturation it is what got through); {@code stream}: bytes moved both ways. The
 *                         histograms hold the transactions intended in the measured time, completed by the
 *                         end of the drain ({@code corrected().getTotalCount()}).
 * @param corrected        latency from the intended send time, ns.
 * @param uncorrected      latency from the actual send time, ns.
 * @param errors           failures by kind after the warm-up.
 * @param warmupErrors     failures by kind during the warm-up (reported, not mixed in).
 * @param notStarted       intended transactions that never started for want of a free slot.
 * @param bytesUp          {@code stream}: bytes written by the client after the warm-up.
 * @param bytesDown        {@code stream}: bytes read by the client after the warm-up.
 * @param bytesUpTotal     {@code stream}: bytes written over the whole run, warm-up included.
 * @param bytesDownTotal   {@code stream}: bytes read over the whole run, warm-up included.
 * @param firstError       the first failure seen, {@code "kind: detail"}, or {@code null}.
 */
public record LoadResult(
    LoadSettings settings,
    long measuredNs,
    long count,
    Histogram corrected,
    Histogram uncorrected,
    Map<ErrorKind, Long> errors,
    Map<ErrorKind, Long> warmupErrors,
    long notStarted,
    long bytesUp,
    long bytesDown,
    long bytesUpTotal,
    long bytesDownTotal,
    String firstError)
{
    /** Completed transactions per second ({@code stream}: 0; see {@link #throughputGbitPerS()}). */
    public double achieved()
    {
        if (settings.mode() == LoadMode.STREAM || measuredNs <= 0)
        {
            return 0;
        }
        return count * 1e9 / measuredNs;
    }

    public double throughputGbitPerS()
    {
        return measuredNs <= 0 ? 0 : (bytesUp + bytesDown) * 8.0 / measuredNs;
    }

    public long errorTotal()
    {
        long total = 0;
        for (final long value : errors.values())
        {
            total += value;
        }
        return total;
    }

    public long error(final ErrorKind kind)
    {
        return errors.getOrDefault(kind, 0L);
    }

    public LatencySummary correctedSummary()
    {
        return LatencySummary.of(corrected);
    }

    public LatencySummary uncorrectedSummary()
    {
        return LatencySummary.of(uncorrected);
    }
}
