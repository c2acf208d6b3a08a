package io.gatehouse.router.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PrometheusWriterTest
{
    @Test
    void shouldGroupSamplesOfOneFamilyUnderOneHeader()
    {
        final PrometheusWriter writer = new PrometheusWriter();
        writer.counter("gatehouse_connections_accepted_total", "Client connections accepted.").sample(3, "listener", "a");
        writer.gauge("gatehouse_connections_active", "Open connections.").sample(1);
        writer.counter("gatehouse_connections_accepted_total", "Client connections accepted.").sample(4, "listener", "b");
        assertEquals("""
            # HELP gatehouse_connections_accepted_total Client connections accepted.
            # TYPE gatehouse_connections_accepted_total counter
            gatehouse_connections_accepted_total{listener="a"} 3
            gatehouse_connections_accepted_total{listener="b"} 4
            # HELP gatehouse_connections_active Open connections.
            # TYPE gatehouse_connections_active gauge
            gatehouse_connections_active 1
            """, writer.text());
    }

    @Test
    void shouldEscapeLabelValuesAndHelpPerTheTextFormat()
    {
        final PrometheusWriter writer = new PrometheusWriter();
        writer.gauge("g", "a \\ help\nline").sample(0.25, "name", "q\"uo\\te\nx", "empty", null);
        assertEquals("""
            # HELP g a \\\\ help\\nline
            # TYPE g gauge
            g{name="q\\"uo\\\\te\\nx",empty=""} 0.25
            """, writer.text());
    }

    @Test
    void shouldWriteCumulativeHistogramBucketsSumAndCount()
    {
        final PrometheusWriter writer = new PrometheusWriter();
        writer.histogram("gatehouse_connect_seconds", "Backend connect time.")
            .histogram(new double[] {0.001, 0.01}, new long[] {7, 9}, 0.021, 10, "route", "a.test");
        assertEquals("""
            # HELP gatehouse_connect_seconds Backend connect time.
            # TYPE gatehouse_connect_seconds histogram
            gatehouse_connect_seconds_bucket{route="a.test",le="0.001"} 7
            gatehouse_connect_seconds_bucket{route="a.test",le="0.01"} 9
            gatehouse_connect_seconds_bucket{route="a.test",le="+Inf"} 10
            gatehouse_connect_seconds_sum{route="a.test"} 0.021
            gatehouse_connect_seconds_count{route="a.test"} 10
            """, writer.text());
    }

    @Test
    void shouldWriteAnHdrHistogramAsCumulativeBuckets()
    {
        final org.HdrHistogram.Histogram micros = new org.HdrHistogram.Histogram(3);
        micros.recordValue(50);
        micros.recordValue(400);
        micros.recordValue(400);
        micros.recordValue(20_000);
        final PrometheusWriter writer = new PrometheusWriter();
        writer.histogram("gatehouse_peek_seconds", "Peek time.").histogram(micros, 1e-6, new double[] {0.0001, 0.001, 0.01});
        final String text = writer.text();
        assertEquals(true, text.contains("gatehouse_peek_seconds_bucket{le=\"0.0001\"} 1\n"), text);
        assertEquals(true, text.contains("gatehouse_peek_seconds_bucket{le=\"0.001\"} 3\n"), text);
        assertEquals(true, text.contains("gatehouse_peek_seconds_bucket{le=\"0.01\"} 3\n"), text);
        assertEquals(true, text.contains("gatehouse_peek_seconds_bucket{le=\"+Inf\"} 4\n"), text);
        assertEquals(true, text.contains("gatehouse_peek_seconds_count 4\n"), text);
        final double sum = MetricsSnapshot.parse(text).sum("gatehouse_peek_seconds_sum");
        assertEquals(0.02085, sum, 0.0001);
    }

    @Test
    void shouldFormatSpecialValues()
    {
        assertEquals("NaN", PrometheusWriter.formatValue(Double.NaN));
        assertEquals("+Inf", PrometheusWriter.formatValue(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", PrometheusWriter.formatValue(Double.NEGATIVE_INFINITY));
        assertEquals("12345678901", PrometheusWriter.formatValue(12_345_678_901L));
        assertEquals("1.5", PrometheusWriter.formatValue(1.5));
    }

    @Test
    void shouldRefuseWhatTheFormatCannotCarry()
    {
        final PrometheusWriter writer = new PrometheusWriter();
        assertThrows(IllegalArgumentException.class, () -> writer.counter("bad-name", "x"));
        assertThrows(IllegalArgumentException.class, () -> writer.counter("c", "x").sample(1, "bad-label", "v"));
        assertThrows(IllegalArgumentException.class, () -> writer.counter("c", "x").sample(1, "odd"));
        assertThrows(IllegalArgumentException.class, () -> writer.gauge("c", "x"));
        assertThrows(IllegalStateException.class, () -> writer.counter("c", "x").histogram(new double[0], new long[0], 0, 0));
        assertThrows(IllegalArgumentException.class,
            () -> writer.histogram("h", "x").histogram(new double[] {2, 1}, new long[] {1, 2}, 0, 2));
        assertThrows(IllegalArgumentException.class,
            () -> writer.histogram("h", "x").histogram(new double[] {1, 2}, new long[] {3, 2}, 0, 3));
    }
}
