package io.gatehouse.router.config;

import java.util.Locale;

/**
 * The one rule for route hostnames: ASCII lower case, one trailing dot removed, letters, digits and
 * hyphens in labels of 1..63 characters (not starting or ending with a hyphen), 253 characters at
 * most (underscores are tolerated: some clients send them), and a wildcard only as a whole leftmost label
 * ({@code *.example.com}). A wildcard covers any name that ends with its suffix and has at least one
 * more label, at any depth ({@code a.example.com} and {@code a.b.example.com}, never
 * {@code example.com}), as Gateway API, nginx {@code server_name} and Envoy {@code server_names} do;
 * the route table matches the same way. The peek normalises names the same way, so lookups are plain
 * string equality.
 */
public final class Hostname
{
    private Hostname()
    {
    }

    /**
     * @param text as written in the config.
     * @return the normalised name or wildcard.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static String normalise(final String text)
    {
        String name = text.toLowerCase(Locale.ROOT);
        if (name.endsWith("."))
        {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty())
        {
            throw new IllegalArgumentException("empty hostname");
        }
        if (name.length() > 253)
        {
            throw new IllegalArgumentException("hostname longer than 253 characters");
        }
        final String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++)
        {
            final String label = labels[i];
            if (label.equals("*"))
            {
                if (i != 0)
                {
                    throw new IllegalArgumentException("'*' may only be the whole leftmost label: \"*.example.com\"");
                }
                if (labels.length < 2)
                {
                    throw new IllegalArgumentException("a wildcard needs a suffix: \"*.example.com\"");
                }
                continue;
            }
            if (label.indexOf('*') >= 0)
            {
                throw new IllegalArgumentException("'*' may only be the whole leftmost label: \"*.example.com\", not '" + text + "'");
            }
            if (label.isEmpty())
            {
                throw new IllegalArgumentException("empty label in hostname '" + text + "'");
            }
            if (label.length() > 63)
            {
                throw new IllegalArgumentException("label longer than 63 characters in '" + text + "'");
            }
            for (int j = 0; j < label.length(); j++)
            {
                final char c = label.charAt(j);
                final boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok)
                {
                    throw new IllegalArgumentException("character '" + c + "' not allowed in hostname '" + text + "'");
                }
            }
            if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-')
            {
                throw new IllegalArgumentException("a label may not start or end with '-' in '" + text + "'");
            }
        }
        return name;
    }

    /** True for {@code *.suffix}. */
    public static boolean isWildcard(final String normalised)
    {
        return normalised.startsWith("*.");
    }

    /**
     * True when the normalised wildcard {@code *.suffix} matches the normalised exact name: the name ends
     * with {@code .suffix} and has one or more labels in front of it (any depth).
     */
    public static boolean wildcardCovers(final String wildcard, final String name)
    {
        final String suffix = wildcard.substring(1);
        return !isWildcard(name) && name.endsWith(suffix) && name.length() > suffix.length();
    }
}
