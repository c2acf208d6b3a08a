package io.gatehouse.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The outputs of a {@link LoadResult}: the human table, the JSON summary (keys in CONTRACT.md and
 * the README) and the {@code .hgrm} percentile files. Control path; allocates freely.
 */
public final class Report
{
    private Report()
    {
    }

    /** The human table. */
    public static void printTable(final LoadResult result, final PrintStream out)
    {
        final LoadSettings s = result.settings();
        out.printf(Locale.ROOT, "gatehouse loadgen %s -> %s  %s  %.1f s measured  %d %s, %d threads (%s)%n",
            s.mode().key(), s.target(), s.mode() == LoadMode.STREAM ? "direction " + s.direction().name().toLowerCase(Locale.ROOT)
                : String.format(Locale.ROOT, "rate %s/s", LatencySummary.num(s.rate())),
            result.measuredNs() / 1e9, s.connections(), s.mode() == LoadMode.RR || s.mode() == LoadMode.STREAM ? "connections" : "max in flight",
            Math.min(s.threads(), s.connections()), s.transport().name().toLowerCase(Locale.ROOT));
        if (s.mode() == LoadMode.STREAM)
        {
            out.printf(Locale.ROOT, "throughput %.3f Gbit/s  (up %s, down %s)%n", result.throughputGbitPerS(),
                bytes(result.bytesUp()), bytes(result.bytesDown()));
        }
        else
        {
            out.printf(Locale.ROOT, "achieved %.1f/s  count %d  not started %d%n", result.achieved(), result.count(), result.notStarted());
        }
        out.printf(Locale.ROOT, "errors %d  (%s)%n", result.errorTotal(), errorList(result.errors()));
        final long warmupTotal = result.warmupErrors().values().stream().mapToLong(Long::longValue).sum();
        if (warmupTotal > 0)
        {
            out.printf(Locale.ROOT, "warm-up errors %d  (%s)%n", warmupTotal, errorList(result.warmupErrors()));
        }
        if (result.firstError() != null)
        {
            out.println("first error: " + result.firstError());
        }
        if (s.mode() != LoadMode.STREAM)
        {
            out.printf(Locale.ROOT, "%-12s %10s %10s %10s %10s %10s %10s%n", "latency", "p50", "p90", "p99", "p99.9", "p99.99", "max");
            row(out, "corrected", result.correctedSummary());
            row(out, "uncorrected", result.uncorrectedSummary());
        }
    }

    private static void row(final PrintStream out, final String name, final LatencySummary l)
    {
        out.printf(Locale.ROOT, "%-12s %10s %10s %10s %10s %10s %10s%n", name, formatUs(l.p50Us()), formatUs(l.p90Us()),
            formatUs(l.p99Us()), formatUs(l.p999Us()), formatUs(l.p9999Us()), formatUs(l.maxUs()));
    }

    private static String errorList(final Map<ErrorKind, Long> errors)
    {
        final StringBuilder text = new StringBuilder();
        for (final ErrorKind kind : ErrorKind.values())
        {
            if (text.length() > 0)
            {
                text.append(", ");
            }
            text.append(kind.key()).append(' ').append(errors.getOrDefault(kind, 0L));
        }
        return text.toString();
    }

    /** Microseconds as {@code 850us}, {@code 1.25ms} or {@code 2.100s}. */
    public static String formatUs(final double us)
    {
        if (us < 1_000)
        {
            return String.format(Locale.ROOT, "%.0fus", us);
        }
        if (us < 1_000_000)
        {
            return String.format(Locale.ROOT, "%.2fms", us / 1_000);
        }
        return String.format(Locale.ROOT, "%.3fs", us / 1_000_000);
    }

    private static String bytes(final long bytes)
    {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** The JSON summary, one object. */
    public static String json(final LoadResult result)
    {
        final LoadSettings s = result.settings();
        final StringBuilder json = new StringBuilder(512);
        json.append("{\"mode\": \"").append(s.mode().key()).append('"');
        json.append(", \"target\": \"").append(escape(s.target())).append('"');
        json.append(", \"sni\": ").append(s.sni() == null ? "null" : "\"" + escape(s.sni()) + "\"");
        json.append(", \"rate\": ").append(LatencySummary.num(s.mode() == LoadMode.STREAM ? 0 : s.rate()));
        json.append(", \"achieved\": ").append(LatencySummary.num(result.achieved()));
        json.append(", \"count\": ").append(result.count());
        json.append(", \"latency_count\": ").append(result.corrected().getTotalCount());
        json.append(", \"duration_s\": ").append(LatencySummary.num(result.measuredNs() / 1e9));
        json.append(", \"warmup_s\": ").append(LatencySummary.num(s.warmupNs() / 1e9));
        json.append(", \"connections\": ").append(s.connections());
        json.append(", \"threads\": ").append(Math.min(s.threads(), s.connections()));
        json.append(", \"transport\": \"").append(s.transport().name().toLowerCase(Locale.ROOT)).append('"');
        json.append(", \"close\": \"").append(s.close().key()).append('"');
        json.append(", \"hello_bytes\": ").append(s.helloBytes());
        json.append(", \"request_bytes\": ").append(s.requestBytes());
        json.append(", \"not_started\": ").append(result.notStarted());
        json.append(", \"errors\": ").append(errorsJson(result.errors(), result.errorTotal()));
        final long warmupTotal = result.warmupErrors().values().stream().mapToLong(Long::longValue).sum();
        json.append(", \"warmup_errors\": ").append(errorsJson(result.warmupErrors(), warmupTotal));
        json.append(", \"first_error\": ").append(result.firstError() == null ? "null" : "\"" + escape(result.firstError()) + "\"");
        json.append(", \"corrected\": ").append(result.correctedSummary().json());
        json.append(", \"uncorrected\": ").append(result.uncorrectedSummary().json());
        json.append(", \"bytes_up\": ").append(result.bytesUp());
        json.append(", \"bytes_down\": ").append(result.bytesDown());
        json.append(", \"bytes_up_total\": ").append(result.bytesUpTotal());
        json.append(", \"bytes_down_total\": ").append(result.bytesDownTotal());
        json.append(", \"throughput_gbit_s\": ").append(LatencySummary.num(result.throughputGbitPerS()));
        json.append('}');
        return json.toString();
    }

    private static String errorsJson(final Map<ErrorKind, Long> errors, final long total)
    {
        final StringBuilder json = new StringBuilder("{");
        for (final ErrorKind kind : ErrorKind.values())
        {
            json.append('"').append(kind.key()).append("\": ").append(errors.getOrDefault(kind, 0L)).append(", ");
        }
        return json.append("\"total\": ").append(total).append('}').toString();
    }

    static String escape(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }

    public static void writeJson(final LoadResult result, final Path file) throws IOException
    {
        Files.writeString(file, json(result) + "\n", StandardCharsets.UTF_8);
    }

    /**
     * Writes the corrected percentile distribution to {@code file} and the uncorrected one next to it
     * ({@code name.uncorrected.hgrm}); values in microseconds.
     */
    public static void writeHgrm(final LoadResult result, final Path file) throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            result.corrected().outputPercentileDistribution(out, 5, 1_000.0);
        }
        final String name = file.getFileName().toString();
        final String stem = name.endsWith(".hgrm") ? name.substring(0, name.length() - 5) : name;
        final Path other = file.resolveSibling(stem + ".uncorrected.hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(other), false, StandardCharsets.UTF_8))
        {
            result.uncorrected().outputPercentileDistribution(out, 5, 1_000.0);
        }
    }
}
