package io.gatehouse.router.admin;

import io.gatehouse.router.log.AccessLogFormat;

import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.HostPort;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /config}: the serving config as JSON, {@code {"generation": N, "xds": null|{...}, "config": {...}}}.
 * The config's records are written by their components, in declaration order, with snake_case keys (as the
 * YAML spells them where it can: {@code connect_timeout_ms} is the parsed {@code connect_timeout}),
 * addresses and CIDRs as text, enums in lower case. Written from the model, not the file, so it shows what
 * serves after defaults and normalisation. The token itself is never shown, only {@code token_file}.
 * Control path (admin loop); allocates freely.
 */
public final class ConfigJson
{
    private ConfigJson()
    {
    }

    /**
     * @param config     the serving config.
     * @param generation its generation (1 = the config started with).
     * @param xds        the xDS resource versions by type URL when a control plane feeds the router, else {@code null}.
     */
    public static String render(final GatehouseConfig config, final long generation, final Map<String, String> xds)
    {
        final StringBuilder out = new StringBuilder(4096);
        out.append("{\"generation\": ").append(generation).append(", \"xds\": ");
        if (xds == null)
        {
            out.append("null");
        }
        else
        {
            value(xds, out);
        }
        out.append(", \"config\": ");
        value(config, out);
        return out.append("}\n").toString();
    }

    private static void value(final Object value, final StringBuilder out)
    {
        if (value == null)
        {
            out.append("null");
        }
        else if (value instanceof String || value instanceof HostPort || value instanceof Cidr || value instanceof Path)
        {
            string(value.toString(), out);
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            out.append(value);
        }
        else if (value instanceof Enum<?> e)
        {
            string(e.name().toLowerCase(Locale.ROOT), out);
        }
        else if (value instanceof Collection<?> list)
        {
            out.append('[');
            boolean first = true;
            for (final Object item : list)
            {
                out.append(first ? "" : ", ");
                value(item, out);
                first = false;
            }
            out.append(']');
        }
        else if (value instanceof Map<?, ?> map)
        {
            out.append('{');
            boolean first = true;
            for (final Map.Entry<?, ?> entry : map.entrySet())
            {
                out.append(first ? "" : ", ");
                string(String.valueOf(entry.getKey()), out);
                out.append(": ");
                value(entry.getValue(), out);
                first = false;
            }
            out.append('}');
        }
        else if (value.getClass().isRecord())
        {
            out.append('{');
            boolean first = true;
            for (final RecordComponent component : value.getClass().getRecordComponents())
            {
                if (component.getType() == byte[].class || component.getName().equals("source"))
                {
                    continue;
                }
                final Object field;
                try
                {
                    field = component.getAccessor().invoke(value);
                }
                catch (final ReflectiveOperationException ex)
                {
                    throw new IllegalStateException("cannot read " + component, ex);
                }
                out.append(first ? "" : ", ");
                string(snake(component.getName()), out);
                out.append(": ");
                value(field, out);
                first = false;
            }
            out.append('}');
        }
        else
        {
            string(value.toString(), out);
        }
    }

    private static String snake(final String camel)
    {
        final StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++)
        {
            final char c = camel.charAt(i);
            if (Character.isUpperCase(c))
            {
                out.append('_').append(Character.toLowerCase(c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A JSON string, escaped by the access log's one JSON string rule. */
    private static void string(final String text, final StringBuilder out)
    {
        AccessLogFormat.string(text, out);
    }
}
