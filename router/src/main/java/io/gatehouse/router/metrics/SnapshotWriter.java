package io.gatehouse.router.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link MetricsSource} writes its numbers into at scrape time: families of counters, gauges, histograms
 * and info metrics, each holding one data point per label set, turned into the Prometheus Java client's
 * snapshots ({@link #snapshots()}) that the client's exposition writers render as the text format or
 * OpenMetrics. Several sources may add to one family. The library checks names and escapes values; this
 * class only gathers and refuses a label set written twice in a family (one series per label set).
 *
 * <pre>{@code
 * writer.counter("gatehouse_connections_accepted_total", "Client connections accepted.")
 *       .sample(42, "listener", "public");
 * writer.histogram("gatehouse_backend_connect_duration_seconds", "Backend connect time.")
 *       .histogram(new double[] {0.001, 0.01}, new long[] {7, 9}, 0.021, 10, "listener", "public");
 * }</pre>
 * Counter names are given with their {@code _total} and info names with their {@code _info}, as they appear
 * in the exposition. One scrape, one writer, one thread (the admin event loop); allocates freely.
 */
public final class SnapshotWriter
{
    private final Map<String, Family> families = new LinkedHashMap<>();

    /** Metric kinds. */
    public enum Type
    {
        COUNTER, GAUGE, HISTOGRAM, INFO
    }

    /** The counter family {@code name} (ending in {@code _total}), created on first use. */
    public Family counter(final String name, final String help)
    {
        if (!name.endsWith("_total"))
        {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        return family(name.substring(0, name.length() - "_total".length()), help, Type.COUNTER);
    }

    /** The gauge family {@code name}, created on first use. */
    public Family gauge(final String name, final String help)
    {
        return family(name, help, Type.GAUGE);
    }

    /** The histogram family {@code name} (without {@code _bucket}), created on first use. */
    public Family histogram(final String name, final String help)
    {
        return family(name, help, Type.HISTOGRAM);
    }

    /** The info family {@code name} (ending in {@code _info}); its samples are label sets with the value 1. */
    public Family info(final String name, final String help)
    {
        if (!name.endsWith("_info"))
        {
            throw new IllegalArgumentException("an info metric's name ends in _info: " + name);
        }
        return family(name.substring(0, name.length() - "_info".length()), help, Type.INFO);
    }

    private Family family(final String name, final String help, final Type type)
    {
        final Family existing = families.get(name);
        if (existing != null)
        {
            if (existing.type != type)
            {
                throw new IllegalArgumentException(name + " is already a " + existing.type);
            }
            return existing;
        }
        final Family family = new Family(name, help, type);
        families.put(name, family);
        return family;
    }

    /** The client library's snapshot of every family written, in the order first written. */
    public List<MetricSnapshot> snapshots()
    {
        final List<MetricSnapshot> out = new ArrayList<>(families.size());
        for (final Family family : families.values())
        {
            out.add(family.build());
        }
        return out;
    }

    /** The families written so far in the Prometheus text format (tests, debugging). */
    public String text()
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try
        {
            io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
                .write(out, new io.prometheus.metrics.model.snapshots.MetricSnapshots(snapshots()));
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
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
        private final Set<Labels> seen = new HashSet<>();
        private final CounterSnapshot.Builder counter;
        private final GaugeSnapshot.Builder gauge;
        private final HistogramSnapshot.Builder histogram;
        private final InfoSnapshot.Builder info;

        private Family(final String name, final String help, final Type type)
        {
            this.name = name;
            this.help = help;
            this.type = type;
            this.counter = type == Type.COUNTER ? CounterSnapshot.builder().name(name).help(help) : null;
            this.gauge = type == Type.GAUGE ? GaugeSnapshot.builder().name(name).help(help) : null;
            this.histogram = type == Type.HISTOGRAM ? HistogramSnapshot.builder().name(name).help(help) : null;
            this.info = type == Type.INFO ? InfoSnapshot.builder().name(name).help(help) : null;
        }

        /** A counter or gauge sample, or an info label set (the value is ignored); {@code labels} are name, value pairs. */
        public Family sample(final long value, final String... labels)
        {
            return sample((double)value, labels);
        }

        /** A counter or gauge sample; {@code labels} are name, value pairs. */
        public Family sample(final double value, final String... labels)
        {
            final Labels set = labels(labels);
            switch (type)
            {
                case COUNTER -> counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(set).value(value).build());
                case GAUGE -> gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(set).value(value).build());
                case INFO -> info.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(set).build());
                default -> throw new IllegalStateException(name + " is a histogram: use histogram(...)");
            }
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
            final double[] bounds = new double[upperBounds.length + 1];
            final long[] perBucket = new long[upperBounds.length + 1];
            long previous = 0;
            for (int i = 0; i < upperBounds.length; i++)
            {
                if ((i > 0 && !(upperBounds[i] > upperBounds[i - 1])) || cumulativeCounts[i] < previous)
                {
                    throw new IllegalArgumentException("bounds must ascend and counts must not decrease");
                }
                bounds[i] = upperBounds[i];
                perBucket[i] = cumulativeCounts[i] - previous;
                previous = cumulativeCounts[i];
            }
            if (count < previous)
            {
                throw new IllegalArgumentException("count below the last bucket");
            }
            bounds[upperBounds.length] = Double.POSITIVE_INFINITY;
            perBucket[upperBounds.length] = count - previous;
            histogram.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .labels(labels(labels))
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, perBucket))
                .sum(sum)
                .build());
            return this;
        }

        private Labels labels(final String[] pairs)
        {
            if ((pairs.length & 1) != 0)
            {
                throw new IllegalArgumentException("labels come as name, value pairs");
            }
            final Labels.Builder builder = Labels.builder();
            for (int i = 0; i < pairs.length; i += 2)
            {
                builder.label(pairs[i], pairs[i + 1] == null ? "" : pairs[i + 1]);
            }
            final Labels set = builder.build();
            if (!seen.add(set))
            {
                throw new IllegalArgumentException(name + set + " written twice: one series per label set");
            }
            return set;
        }

        private MetricSnapshot build()
        {
            return switch (type)
            {
                case COUNTER -> counter.build();
                case GAUGE -> gauge.build();
                case HISTOGRAM -> histogram.build();
                case INFO -> info.build();
            };
        }
    }
}
