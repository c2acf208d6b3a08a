package io.gatehouse.loadgen;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency histogram, in microseconds.
 */
public record LatencySummary(long count, double p50Us, double p90Us, double p99Us, double p999Us, double p9999Us, double maxUs,
    double meanUs)
{
    public static LatencySummary of(final Histogram histogramNs)
    {
        if (histogramNs.getTotalCount() == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
            histogramNs.getTotalCount(),
            us(histogramNs.getValueAtPercentile(50)),
            us(histogramNs.getValueAtPercentile(90)),
            us(histogramNs.getValueAtPercentile(99)),
            us(histogramNs.getValueAtPercentile(99.9)),
            us(histogramNs.getValueAtPercentile(99.99)),
            us(histogramNs.getMaxValue()),
            histogramNs.getMean() / 1_000.0);
    }

    private static double us(final long ns)
    {
        return ns / 1_000.0;
    }

    String json()
    {
        return "{\"p50_us\": " + num(p50Us) + ", \"p90_us\": " + num(p90Us) + ", \"p99_us\": " + num(p99Us)
            + ", \"p999_us\": " + num(p999Us) + ", \"p9999_us\": " + num(p9999Us) + ", \"max_us\": " + num(maxUs)
            + ", \"mean_us\": " + num(meanUs) + "}";
    }

    /** A JSON number: integral values without a fraction, others with three decimals; NaN and infinity as 0. */
    public static String num(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "0";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long)value) : String.format(java.util.Locale.ROOT, "%.3f", value);
    }
}
