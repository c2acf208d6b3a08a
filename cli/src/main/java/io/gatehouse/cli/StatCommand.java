package io.gatehouse.cli;

import io.gatehouse.router.metrics.MetricsSnapshot;
import io.gatehouse.router.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse stat}: polls {@code GET /metrics} on the admin address and shows every gatehouse
 * counter with its rate per second over the last interval, and every gauge with its value. Histogram
 * buckets are left out (their {@code _count} and {@code _sum} show as counters). {@code --once} takes two
 * scrapes one interval apart, prints one table and exits (for scripts); otherwise the table is redrawn
 * every interval until interrupted. Exit 0, or 1 with one line when the admin endpoint cannot be read.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show a running router's counters live (rates per second), read from its admin endpoint.")
public final class StatCommand implements Callable<Integer>
{
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

    @Spec
    CommandSpec spec;

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9901",
        description = "The router's admin address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
        description = "Time between two scrapes, e.g. 500ms, 1s (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--once", description = "Print one table (two scrapes one interval apart) and exit.")
    boolean once;

    @Option(names = "--all", description = "Also show counters that are zero.")
    boolean all;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final HostPort address;
        final long intervalMs;
        try
        {
            address = HostPort.parse(admin);
            intervalMs = parseDuration(interval);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("gatehouse stat: " + ex.getMessage());
            err.flush();
            return 2;
        }
        final boolean terminal = !once && System.console() != null;
        try
        {
            MetricsSnapshot previous = scrape(address);
            long previousNs = System.nanoTime();
            while (true)
            {
                Thread.sleep(intervalMs);
                final MetricsSnapshot current = scrape(address);
                final long nowNs = System.nanoTime();
                if (terminal)
                {
                    out.print("\033[H\033[2J");
                }
                out.print(render(address, previous, current, (nowNs - previousNs) / 1e9, all));
                out.flush();
                if (once)
                {
                    return 0;
                }
                previous = current;
                previousNs = nowNs;
            }
        }
        catch (final IOException ex)
        {
            err.println("gatehouse stat: cannot read http://" + address + "/metrics: " + ex.getMessage());
            err.flush();
            return 1;
        }
    }

    static long parseDuration(final String text)
    {
        final Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("--interval: expected a duration such as 500ms or 1s, got '" + text + "'");
        }
        final long amount = Long.parseLong(matcher.group(1));
        final long ms = switch (matcher.group(2))
        {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            default -> amount * 60_000;
        };
        if (ms < 10)
        {
            throw new IllegalArgumentException("--interval must be at least 10ms");
        }
        return ms;
    }

    static MetricsSnapshot scrape(final HostPort address) throws IOException
    {
        final URL url = new URL("http://" + address + "/metrics");
        final HttpURLConnection connection = (HttpURLConnection)url.openConnection();
        connection.setConnectTimeout(2_000);
        connection.setReadTimeout(5_000);
        try
        {
            final int status = connection.getResponseCode();
            if (status != 200)
            {
                throw new IOException("HTTP " + status);
            }
            try (InputStream in = connection.getInputStream())
            {
                return MetricsSnapshot.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException("not Prometheus text: " + ex.getMessage(), ex);
            }
        }
        finally
        {
            connection.disconnect();
        }
    }

    /** The table: counters (total, per second) then gauges (value), each sorted by name and labels. */
    static String render(
        final HostPort address, final MetricsSnapshot before, final MetricsSnapshot after, final double seconds, final boolean all)
    {
        final Map<String, Double> previous = new HashMap<>();
        for (final MetricsSnapshot.Sample sample : before.samples())
        {
            previous.put(sample.key(), sample.value());
        }
        final Map<String, String> counters = new TreeMap<>();
        final Map<String, String> gauges = new TreeMap<>();
        int width = 40;
        for (final MetricsSnapshot.Sample sample : after.samples())
        {
            final String name = sample.name();
            if (!name.startsWith("gatehouse_") || name.endsWith("_bucket"))
            {
                continue;
            }
            final String key = sample.key().substring("gatehouse_".length());
            width = Math.max(width, key.length());
            final String type = familyType(after, name);
            if ("gauge".equals(type))
            {
                gauges.put(key, format(sample.value()));
                continue;
            }
            if (!all && sample.value() == 0)
            {
                continue;
            }
            final Double old = previous.get(sample.key());
            final String rate = old == null || seconds <= 0 ? "-"
                : String.format(Locale.ROOT, "%.1f", Math.max(0, sample.value() - old) / seconds);
            counters.put(key, format(sample.value()) + "\u0000" + rate);
        }
        final StringBuilder out = new StringBuilder();
        out.append("gatehouse stat  ").append(address).append("  ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            .append(String.format(Locale.ROOT, "  (rates over %.2fs)%n", seconds));
        final String row = "%-" + width + "s %16s %12s%n";
        out.append(String.format(Locale.ROOT, row, "counter", "total", "per second"));
        for (final Map.Entry<String, String> counter : counters.entrySet())
        {
            final String[] parts = counter.getValue().split("\u0000");
            out.append(String.format(Locale.ROOT, row, counter.getKey(), parts[0], parts[1]));
        }
        out.append(String.format(Locale.ROOT, "%n%-" + width + "s %16s%n", "gauge", "value"));
        for (final Map.Entry<String, String> gauge : gauges.entrySet())
        {
            out.append(String.format(Locale.ROOT, "%-" + width + "s %16s%n", gauge.getKey(), gauge.getValue()));
        }
        return out.toString();
    }

    private static String familyType(final MetricsSnapshot snapshot, final String name)
    {
        String type = snapshot.type(name);
        if (type == null && (name.endsWith("_sum") || name.endsWith("_count")))
        {
            type = snapshot.type(name.substring(0, name.lastIndexOf('_')));
            return type == null ? null : "counter";
        }
        return type;
    }

    private static String format(final double value)
    {
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
