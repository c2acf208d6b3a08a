package io.gatehouse.router.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link MetricsSource}s one {@code GET /metrics} renders, in registration order, plus the Prometheus Java
 * client's JVM and process metrics ({@code jvm_*}, {@code process_*}). Each scrape asks every source to write
 * its current numbers into a fresh {@link SnapshotWriter} (nothing is kept between scrapes, so a series whose
 * object is gone is gone), and the client library renders the result in the format the scraper's
 * {@code Accept} header asks for: the Prometheus text format by default, OpenMetrics when asked.
 *
 * <p>Sources are added and removed by the control thread (a reload replaces per-listener sources); a scrape
 * on the admin thread sees a consistent list (copy on write). A source that throws is skipped and counted,
 * so one broken source never hides the others.
 */
public final class MetricsRegistry
{
    private final CopyOnWriteArrayList<MetricsSource> sources = new CopyOnWriteArrayList<>();
    private final PrometheusRegistry runtime = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private volatile long scrapes;
    private volatile long sourceErrors;

    /** One rendered scrape: its media type and text. */
    public record Scrape(String contentType, String body)
    {
    }

    /**
     * The JVM and process metrics: what {@code JvmMetrics.builder()} registers, less two that cost an idle
     * router memory for figures it does not need. {@code JvmNativeMemoryMetrics} starts the platform MBean
     * server (JMX, a few hundred classes) to ask for NMT figures that are empty unless the JVM runs with
     * {@code -XX:NativeMemoryTracking}; {@code JvmMemoryPoolAllocationMetrics} listens to every GC's
     * notification. Heap, pools, GC pauses, threads, buffer pools (Netty's direct memory), classes, JIT time,
     * runtime info and the process's CPU, fds and RSS stay.
     */
    public MetricsRegistry()
    {
        JvmThreadsMetrics.builder().register(runtime);
        JvmBufferPoolMetrics.builder().register(runtime);
        JvmClassLoadingMetrics.builder().register(runtime);
        JvmCompilationMetrics.builder().register(runtime);
        JvmGarbageCollectorMetrics.builder().register(runtime);
        JvmMemoryMetrics.builder().register(runtime);
        JvmRuntimeInfoMetric.builder().register(runtime);
        ProcessMetrics.builder().register(runtime);
    }

    public void register(final MetricsSource source)
    {
        sources.addIfAbsent(source);
    }

    public void unregister(final MetricsSource source)
    {
        sources.remove(source);
    }

    /**
     * Renders every source in the format {@code accept} asks for ({@code null}: the Prometheus text format).
     * Admin thread.
     */
    public synchronized Scrape scrape(final String accept)
    {
        final SnapshotWriter writer = new SnapshotWriter();
        for (final MetricsSource source : sources)
        {
            try
            {
                source.writeTo(writer);
            }
            catch (final RuntimeException ex)
            {
                sourceErrors++;
            }
        }
        scrapes++;
        writer.counter("gatehouse_admin_scrapes_total", "Scrapes of GET /metrics served, this one included.").sample(scrapes);
        writer.counter("gatehouse_admin_source_errors_total", "Metrics sources that threw while being rendered.")
            .sample(sourceErrors);
        final List<MetricSnapshot> all = writer.snapshots();
        for (final MetricSnapshot snapshot : runtime.scrape())
        {
            all.add(snapshot);
        }
        final ExpositionFormatWriter format = accept != null && accept.contains("application/openmetrics-text")
            ? formats.getOpenMetricsTextFormatWriter()
            : formats.getPrometheusTextFormatWriter();
        final ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try
        {
            format.write(out, new MetricSnapshots(all));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new Scrape(format.getContentType(), out.toString(StandardCharsets.UTF_8));
    }

    /** The Prometheus text format of every source. Admin thread (tests, {@code stat}). */
    public String scrape()
    {
        return scrape(null).body();
    }
}
