package io.gatehouse.router.config;

import java.util.List;

/**
 * A node of a YAML document as {@link YamlComposer} reads it, with the 1-based line and column where it
 * starts so that every config error can point at its text.
 */
public sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Sequence, YamlNode.Mapping
{
    int line();

    int column();

    /** What the node is, for error messages: "a scalar", "a list", "a mapping". */
    String kind();

    /**
     * A scalar as written: plain text (trimmed) or the unescaped content of a quoted string.
     *
     * @param value  the text; empty for an absent value ({@code key:} with nothing after it).
     * @param quoted whether it was written in quotes (a quoted {@code "null"} is a string).
     */
    record Scalar(String value, boolean quoted, int line, int column) implements YamlNode
    {
        /** True for {@code key:} with no value, {@code ~}, plain {@code null} (YAML 1.2 core: also {@code Null}, {@code NULL}) and {@code !!null}. */
        public boolean isNull()
        {
            return !quoted && (value.isEmpty() || value.equals("~") || value.equals("null") || value.equals("Null") || value.equals("NULL"));
        }

        @Override
        public String kind()
        {
            return "a scalar";
        }
    }

    /** A block ({@code - a}) or flow ({@code [a, b]}) sequence. */
    record Sequence(List<YamlNode> items, int line, int column) implements YamlNode
    {
        public Sequence
        {
            items = List.copyOf(items);
        }

        @Override
        public String kind()
        {
            return "a list";
        }
    }

    /** A block or flow mapping; keys are unique scalars, kept in file order. */
    record Mapping(List<Entry> entries, int line, int column) implements YamlNode
    {
        public Mapping
        {
            entries = List.copyOf(entries);
        }

        /** The value under {@code key}, or {@code null} when absent. */
        public YamlNode get(final String key)
        {
            for (final Entry entry : entries)
            {
                if (entry.key().value().equals(key))
                {
                    return entry.value();
                }
            }
            return null;
        }

        @Override
        public String kind()
        {
            return "a mapping";
        }
    }

    /** One {@code key: value} of a mapping. */
    record Entry(Scalar key, YamlNode value)
    {
    }
}
