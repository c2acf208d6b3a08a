package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsSnapshot;
import io.gatehouse.router.metrics.SnapshotWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The families sources write, as the Prometheus client library renders them. */
class SnapshotWriterTest
{
    @Test
    void shouldMergeSamplesOfOneFamilyFromSeveralSourcesAndEscapeLabelValues()
    {
        final SnapshotWriter writer = new SnapshotWriter();
        writer.counter("gatehouse_connections_rejected_total", "Refused.").sample(1, "listener", "a", "reason", "x");
        writer.counter("gatehouse_connections_rejected_total", "Refused.").sample(2, "listener", "b\"\n\\", "reason", "x");
        final String text = writer.text();
        assertEquals(1, text.split("# TYPE gatehouse_connections_rejected_total counter", -1).length - 1, text);
        assertTrue(text.contains("listener=\"b\\\"\\n\\\\\""), text);
        final MetricsSnapshot scrape = MetricsSnapshot.parse(text);
        assertEquals(3, scrape.sum("gatehouse_connections_rejected_total"));
        assertEquals(2, scrape.sum("gatehouse_connections_rejected_total", "listener", "b\"\n\\"));
    }

    @Test
    void shouldRefuseALabelSetWrittenTwiceInOneFamily()
    {
        final SnapshotWriter writer = new SnapshotWriter();
        writer.gauge("gatehouse_backend_up", "Up.").sample(1, "route", "a.test", "backend", "127.0.0.1:1");
        assertThrows(IllegalArgumentException.class,
            () -> writer.gauge("gatehouse_backend_up", "Up.").sample(0, "backend", "127.0.0.1:1", "route", "a.test"));
        assertThrows(IllegalArgumentException.class, () -> writer.counter("gatehouse_backend_up", "Up."),
            "a counter's name ends in _total");
        assertThrows(IllegalArgumentException.class, () -> writer.histogram("gatehouse_backend_up", "Up."), "already a gauge");
    }

    @Test
    void shouldTurnCumulativeCountsIntoTheLibrarysBucketsAndBack()
    {
        final SnapshotWriter writer = new SnapshotWriter();
        writer.histogram("gatehouse_backend_connect_duration_seconds", "Connect.")
            .histogram(new double[] {0.001, 0.01}, new long[] {7, 9}, 0.021, 10, "route", "a.test");
        final MetricsSnapshot scrape = MetricsSnapshot.parse(writer.text());
        assertEquals("histogram", scrape.type("gatehouse_backend_connect_duration_seconds"));
        assertEquals(7, scrape.sum("gatehouse_backend_connect_duration_seconds_bucket", "le", "0.001"));
        assertEquals(9, scrape.sum("gatehouse_backend_connect_duration_seconds_bucket", "le", "0.01"));
        assertEquals(10, scrape.sum("gatehouse_backend_connect_duration_seconds_bucket", "le", "+Inf"));
        assertEquals(10, scrape.sum("gatehouse_backend_connect_duration_seconds_count"));
        assertEquals(0.021, scrape.sum("gatehouse_backend_connect_duration_seconds_sum"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> writer.histogram("h", "x").histogram(new double[] {2, 1},
            new long[] {1, 2}, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> writer.histogram("h2", "x").histogram(new double[] {1},
            new long[] {3}, 0, 2), "count below the last bucket");
        assertThrows(IllegalStateException.class, () -> writer.counter("c_total", "x").histogram(new double[0], new long[0], 0, 0));
    }

    @Test
    void shouldWriteAnInfoMetricAsOneLabelSetWithTheValueOne()
    {
        final SnapshotWriter writer = new SnapshotWriter();
        writer.info("gatehouse_build_info", "Build.").sample(1, "version", "1.0", "commit", "abc");
        final MetricsSnapshot scrape = MetricsSnapshot.parse(writer.text());
        assertEquals(1, scrape.sum("gatehouse_build_info", "version", "1.0", "commit", "abc"), writer.text());
    }
}
