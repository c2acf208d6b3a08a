package io.gatehouse.router.admin;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link MetricsSource}s one {@code GET /metrics} renders, in registration order. Sources are added
 * and removed by the control thread (a reload replaces per-listener sources); a scrape on the admin
 * thread sees a consistent list (copy on write). A source that throws is skipped and counted, so one
 * broken source never hides the others.
 */
public final class MetricsRegistry
{
    private final CopyOnWriteArrayList<MetricsSource> sources = new CopyOnWriteArrayList<>();
    private volatile long scrapes;
    private volatile long sourceErrors;

    public void register(final MetricsSource source)
    {
        sources.addIfAbsent(source);
    }

    public void unregister(final MetricsSource source)
    {
        sources.remove(source);
    }

    /** One rendered scrape: its media type and text. */
    public record Scrape(String contentType, String body)
    {
    }

    /** Renders every source in the format the {@code Accept} header asks for ({@code null}: the text format). */
    public Scrape scrape(final String accept)
    {
        return new Scrape(AdminServer.METRICS_CONTENT_TYPE, scrape());
    }

    /** Renders every source into one exposition text. Admin thread. */
    public synchronized String scrape()
    {
        final PrometheusWriter writer = new PrometheusWriter();
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
        return writer.text();
    }
}
