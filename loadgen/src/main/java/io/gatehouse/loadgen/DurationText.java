package io.gatehouse.loadgen;

import java.util.Locale;

/** Durations on the command line: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 250us}; a bare number is seconds. */
final class DurationText
{
    private DurationText()
    {
    }

    static long parseNs(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        final long unitNs;
        final String number;
        if (t.endsWith("ms"))
        {
            unitNs = 1_000_000L;
            number = t.substring(0, t.length() - 2);
        }
        else if (t.endsWith("us"))
        {
            unitNs = 1_000L;
            number = t.substring(0, t.length() - 2);
        }
        else if (t.endsWith("s"))
        {
            unitNs = 1_000_000_000L;
            number = t.substring(0, t.length() - 1);
        }
        else if (t.endsWith("m"))
        {
            unitNs = 60_000_000_000L;
            number = t.substring(0, t.length() - 1);
        }
        else
        {
            unitNs = 1_000_000_000L;
            number = t;
        }
        try
        {
            final double value = Double.parseDouble(number);
            if (value < 0 || Double.isNaN(value))
            {
                throw new IllegalArgumentException("negative duration '" + text + "'");
            }
            return (long)(value * unitNs);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad duration '" + text + "' (10s, 500ms, 2m)", ex);
        }
    }
}
