package io.gatehouse.router.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a Prometheus text exposition, parsed: what {@code gatehouse stat} and tests read back from
 * {@code GET /metrics}. Reads samples ({@code name{labels} value [timestamp]}) and {@code # TYPE} lines;
 * ignores other comments; a malformed line is an {@link IllegalArgumentException} naming its number.
 * Control path; allocates freely.
 */
public final class MetricsSnapshot
{
    private final List<Sample> samples;
    private final Map<String, String> types;

    /**
     * One sample.
     *
     * @param name   the metric name as written (with {@code _bucket}, {@code _sum}, {@code _count}).
     * @param labels in the order written.
     * @param value  the value.
     */
    public record Sample(String name, Map<String, String> labels, double value)
    {
        /** {@code name{k="v",...}} with labels in written order (unescaped values, re-quoted). */
        public String key()
        {
            if (labels.isEmpty())
            {
                return name;
            }
            final StringBuilder out = new StringBuilder(name).append('{');
            boolean first = true;
            for (final Map.Entry<String, String> label : labels.entrySet())
            {
                out.append(first ? "" : ",").append(label.getKey()).append("=\"").append(label.getValue()).append('"');
                first = false;
            }
            return out.append('}').toString();
        }
    }

    private MetricsSnapshot(final List<Sample> samples, final Map<String, String> types)
    {
        this.samples = Collections.unmodifiableList(samples);
        this.types = Collections.unmodifiableMap(types);
    }

    public static MetricsSnapshot parse(final String text)
    {
        final List<Sample> samples = new ArrayList<>();
        final Map<String, String> types = new HashMap<>();
        final String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++)
        {
            final String line = lines[n].strip();
            if (line.isEmpty())
            {
                continue;
            }
            if (line.startsWith("#"))
            {
                final String[] parts = line.split(" +");
                if (parts.length >= 4 && parts[1].equals("TYPE"))
                {
                    types.put(parts[2], parts[3]);
                }
                continue;
            }
            samples.add(parseSample(line, n + 1));
        }
        return new MetricsSnapshot(samples, types);
    }

    private static Sample parseSample(final String line, final int number)
    {
        int p = 0;
        while (p < line.length() && line.charAt(p) != '{' && line.charAt(p) != ' ')
        {
            p++;
        }
        final String name = line.substring(0, p);
        final Map<String, String> labels = new LinkedHashMap<>();
        if (p < line.length() && line.charAt(p) == '{')
        {
            p++;
            while (true)
            {
                if (p >= line.length())
                {
                    throw new IllegalArgumentException("line " + number + ": unterminated labels");
                }
                if (line.charAt(p) == '}')
                {
                    p++;
                    break;
                }
                final int eq = line.indexOf('=', p);
                if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"')
                {
                    throw new IllegalArgumentException("line " + number + ": expected label=\"value\"");
                }
                final String labelName = line.substring(p, eq).strip();
                final StringBuilder value = new StringBuilder();
                int q = eq + 2;
                while (true)
                {
                    if (q >= line.length())
                    {
                        throw new IllegalArgumentException("line " + number + ": unterminated label value");
                    }
                    final char c = line.charAt(q);
                    if (c == '\\' && q + 1 < line.length())
                    {
                        final char e = line.charAt(q + 1);
                        value.append(e == 'n' ? '\n' : e);
                        q += 2;
                        continue;
                    }
                    if (c == '"')
                    {
                        q++;
                        break;
                    }
                    value.append(c);
                    q++;
                }
                labels.put(labelName, value.toString());
                p = q;
                if (p < line.length() && line.charAt(p) == ',')
                {
                    p++;
                }
            }
        }
        final String[] rest = line.substring(p).strip().split(" +");
        if (rest.length < 1 || rest[0].isEmpty())
        {
            throw new IllegalArgumentException("line " + number + ": missing value");
        }
        final double value;
        try
        {
            value = switch (rest[0])
            {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(rest[0]);
            };
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("line " + number + ": bad value '" + rest[0] + "'");
        }
        return new Sample(name, Collections.unmodifiableMap(labels), value);
    }

    public List<Sample> samples()
    {
        return samples;
    }

    /** {@code counter}, {@code gauge}, {@code histogram}, ... from the family's {@code # TYPE}, or {@code null}. */
    public String type(final String family)
    {
        return types.get(family);
    }

    /**
     * The sum of every sample named {@code name} whose labels include all of {@code labelPairs}
     * (name, value, ...); 0 when none matches.
     */
    public double sum(final String name, final String... labelPairs)
    {
        double total = 0;
        for (final Sample sample : samples)
        {
            if (sample.name().equals(name) && matches(sample, labelPairs))
            {
                total += sample.value();
            }
        }
        return total;
    }

    private static boolean matches(final Sample sample, final String[] labelPairs)
    {
        for (int i = 0; i + 1 < labelPairs.length; i += 2)
        {
            if (!labelPairs[i + 1].equals(sample.labels().get(labelPairs[i])))
            {
                return false;
            }
        }
        return true;
    }
}
