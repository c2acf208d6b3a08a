package io.gatehouse.router.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one Prometheus text exposition (format 0.0.4): families of counters, gauges and histograms,
 * each with its {@code # HELP} and {@code # TYPE} once and all its samples together, even when several
 * {@link MetricsSource}s add to the same family. Label values are escaped ({@code \\}, {@code "},
 * newline), as is help text ({@code \\}, newline); metric and label names are checked.
 *
 * <pre>{@code
 * writer.counter("gatehouse_connections_accepted_total", "Client connections accepted.")
 *       .sample(42, "listener", "public");
 * writer.histogram("gatehouse_connect_seconds", "Backend connect time.")
 *       .histogram(new double[] {0.001, 0.01}, new long[] {7, 9}, 0.021, 10, "route", "a.test");
 * }</pre>
 *
 * <p>One scrape, one writer, one thread (the admin thread); allocates freely.
 */
public final class PrometheusWriter
{
    /** Bucket bounds, in seconds, for connect and peek times: 100us to 10s. */
    public static final double[] LATENCY_BUCKETS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** Metric kinds of the text format. */
    public enum Type
    {
        COUNTER("counter"), GAUGE("gauge"), HISTOGRAM("histogram");

        private final String text;

        Type(final String text)
        {
            this.text = text;
        }
    }

    /** The counter family {@code name}, created on first use. */
    public Family counter(final String name, final String help)
    {
        return family(name, help, Type.COUNTER);
    }

    /** The gauge family {@code name}, created on first use. */
    public Family gauge(final String name, final String help)
    {
        return family(name, help, Type.GAUGE);
    }

    /** The histogram family {@code name} (base name, without {@code _bucket}), created on first use. */
    public Family histogram(final String name, final String help)
    {
        return family(name, help, Type.HISTOGRAM);
    }

    private Family family(final String name, final String help, final Type type)
    {
        checkMetricName(name);
        final Family existing = families.get(name);
        if (existing != null)
        {
            if (existing.type != type)
            {
                throw new IllegalArgumentException(name + " is already a " + existing.type.text);
            }
            return existing;
        }
        final Family family = new Family(name, help, type);
        families.put(name, family);
        return family;
    }

    /** The whole exposition text. */
    public String text()
    {
        final StringBuilder out = new StringBuilder(4096);
        for (final Family family : families.values())
        {
            out.append("# HELP ").append(family.name).append(' ');
            escapeHelp(family.help, out);
            out.append('\n');
            out.append("# TYPE ").append(family.name).append(' ').append(family.type.text).append('\n');
            for (final String line : family.lines)
            {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public String toString()
    {
        return text();
    }

    /** One metric family; add samples with {@link #sample} or, for histograms, {@link #histogram}. */
    public static final class Family
    {
        private final String name;
        private final String help;
        private final Type type;
        private final List<String> lines = new ArrayList<>();

        private Family(final String name, final String help, final Type type)
        {
            this.name = name;
            this.help = help;
            this.type = type;
        }

        /** A counter or gauge sample; {@code labels} are name, value pairs. */
        public Family sample(final long value, final String... labels)
        {
            return sample((double)value, labels);
        }

        /** A counter or gauge sample; {@code labels} are name, value pairs. */
        public Family sample(final double value, final String... labels)
        {
            if (type == Type.HISTOGRAM)
            {
                throw new IllegalStateException(name + " is a histogram: use histogram(...)");
            }
            lines.add(line(name, labels, null, null, value));
            return this;
        }

        /**
         * One labelled histogram.
         *
         * @param upperBounds      finite bucket bounds, ascending; {@code +Inf} is added.
         * @param cumulativeCounts observations {@code <=} each bound (cumulative, non-decreasing).
         * @param sum              the sum of every observation.
         * @param count            every observation (the {@code +Inf} bucket).
         * @param labels           name, value pairs.
         */
        public Family histogram(
            final double[] upperBounds, final long[] cumulativeCounts, final double sum, final long count, final String... labels)
        {
            if (type != Type.HISTOGRAM)
            {
                throw new IllegalStateException(name + " is not a histogram");
            }
            if (upperBounds.length != cumulativeCounts.length)
            {
                throw new IllegalArgumentException("one count per bound");
            }
            long previous = 0;
            for (int i = 0; i < upperBounds.length; i++)
            {
                if ((i > 0 && !(upperBounds[i] > upperBounds[i - 1])) || cumulativeCounts[i] < previous)
                {
                    throw new IllegalArgumentException("bounds must ascend and counts must not decrease");
                }
                previous = cumulativeCounts[i];
                lines.add(line(name + "_bucket", labels, "le", formatValue(upperBounds[i]), cumulativeCounts[i]));
            }
            if (count < previous)
            {
                throw new IllegalArgumentException("count below the last bucket");
            }
            lines.add(line(name + "_bucket", labels, "le", "+Inf", count));
            lines.add(line(name + "_sum", labels, null, null, sum));
            lines.add(line(name + "_count", labels, null, null, count));
            return this;
        }

        /**
         * One labelled histogram from an HdrHistogram whose values are in units of {@code secondsPerUnit}
         * (1e-6 for microseconds): cumulative counts at each bound, the sum (from the mean) and the count.
         * Read it on the admin thread only if it is not being recorded into (use a {@code Recorder}'s
         * interval histogram or a copy).
         */
        public Family histogram(
            final org.HdrHistogram.AbstractHistogram histogram, final double secondsPerUnit, final double[] upperBoundsSeconds,
            final String... labels)
        {
            final long[] cumulative = new long[upperBoundsSeconds.length];
            final long count = histogram.getTotalCount();
            for (int i = 0; i < upperBoundsSeconds.length; i++)
            {
                final long highest = (long)Math.floor(upperBoundsSeconds[i] / secondsPerUnit);
                cumulative[i] = Math.min(count, histogram.getCountBetweenValues(0, Math.max(0, highest)));
                if (i > 0 && cumulative[i] < cumulative[i - 1])
                {
                    cumulative[i] = cumulative[i - 1];
                }
            }
            final double sum = count == 0 ? 0 : histogram.getMean() * count * secondsPerUnit;
            return histogram(upperBoundsSeconds, cumulative, sum, count, labels);
        }

        private static String line(final String metric, final String[] labels, final String extraName, final String extraValue,
            final double value)
        {
            if ((labels.length & 1) != 0)
            {
                throw new IllegalArgumentException("labels come as name, value pairs");
            }
            final StringBuilder out = new StringBuilder(64).append(metric);
            if (labels.length > 0 || extraName != null)
            {
                out.append('{');
                for (int i = 0; i < labels.length; i += 2)
                {
                    checkLabelName(labels[i]);
                    if (i > 0)
                    {
                        out.append(',');
                    }
                    out.append(labels[i]).append("=\"");
                    escapeLabelValue(labels[i + 1] == null ? "" : labels[i + 1], out);
                    out.append('"');
                }
                if (extraName != null)
                {
                    out.append(labels.length > 0 ? "," : "").append(extraName).append("=\"").append(extraValue).append('"');
                }
                out.append('}');
            }
            out.append(' ').append(formatValue(value));
            return out.toString();
        }
    }

    /** A sample value as the text format writes it: integers without a fraction, {@code +Inf}, {@code NaN}. */
    public static String formatValue(final double value)
    {
        if (Double.isNaN(value))
        {
            return "NaN";
        }
        if (Double.isInfinite(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        if (Math.abs(value) >= 1e-6 && Math.abs(value) < 1e15)
        {
            return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
        }
        return Double.toString(value);
    }

    static void escapeLabelValue(final String value, final StringBuilder out)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    static void escapeHelp(final String help, final StringBuilder out)
    {
        for (int i = 0; i < help.length(); i++)
        {
            final char c = help.charAt(i);
            switch (c)
            {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private static void checkMetricName(final String name)
    {
        if (name.isEmpty())
        {
            throw new IllegalArgumentException("empty metric name");
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
            if (!ok)
            {
                throw new IllegalArgumentException("bad metric name '" + name + "'");
            }
        }
    }

    private static void checkLabelName(final String name)
    {
        if (name.isEmpty() || name.startsWith("__") || name.equals("le"))
        {
            throw new IllegalArgumentException("bad label name '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
            if (!ok)
            {
                throw new IllegalArgumentException("bad label name '" + name + "'");
            }
        }
    }
}
