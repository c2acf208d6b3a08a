package io.gatehouse.router.log;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The access log line: one JSON object per line, keys always present and in this order:
 *
 * <pre>{@code
 * {"time":"2026-11-26T06:17:31.123Z","accept_time":"2026-11-26T06:17:31.122Z","id":42,"client":"127.0.0.1:53422",
 *  "listener":"public","listener_address":"127.0.0.1:8446","protocol":"tls","name":"a.example.test",
 *  "alpn":"h2,http/1.1","route":"a.example.test","backend":"127.0.0.1:9443","upstream_local":"127.0.0.1:40112",
 *  "connect_attempts":2,"backends_tried":["127.0.0.1:9444","127.0.0.1:9443"],"bytes_in":517,"bytes_out":4096,
 *  "duration_us":1234,"peek_us":50,"connect_us":200,"end":"client_closed"}
 * }</pre>
 * (on one line). Unknown values are {@code null}; IPv6 addresses are bracketed ({@code "[::1]:8446"}).
 * Log thread only; allocates.
 */
public final class AccessLogFormat
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(ZoneOffset.UTC);

    private AccessLogFormat()
    {
    }

    /** Appends the entry's line, with its newline. */
    public static void append(final AccessLogEntry e, final StringBuilder out)
    {
        out.append("{\"time\":\"");
        TIME.formatTo(Instant.ofEpochMilli(e.endEpochMs()), out);
        out.append("\",\"accept_time\":\"");
        TIME.formatTo(Instant.ofEpochMilli(e.acceptEpochMs()), out);
        out.append("\",\"id\":").append(e.id());
        out.append(",\"client\":");
        address(e.client(), out);
        out.append(",\"listener\":");
        string(e.listener(), out);
        out.append(",\"listener_address\":");
        address(e.listenerAddress(), out);
        out.append(",\"protocol\":");
        string(e.protocol(), out);
        out.append(",\"name\":");
        string(e.name(), out);
        out.append(",\"alpn\":");
        string(e.alpn(), out);
        out.append(",\"route\":");
        string(e.route(), out);
        out.append(",\"backend\":");
        address(e.backend(), out);
        out.append(",\"upstream_local\":");
        address(e.upstreamLocal(), out);
        out.append(",\"connect_attempts\":").append(e.connectAttempts());
        out.append(",\"backends_tried\":[");
        for (int i = 0, n = e.backendsTriedCount(); i < n; i++)
        {
            if (i > 0)
            {
                out.append(',');
            }
            string(e.backendTried(i), out);
        }
        out.append(']');
        out.append(",\"bytes_in\":").append(e.bytesIn());
        out.append(",\"bytes_out\":").append(e.bytesOut());
        out.append(",\"duration_us\":");
        micros(e.durationUs(), out);
        out.append(",\"peek_us\":");
        micros(e.peekUs(), out);
        out.append(",\"connect_us\":");
        micros(e.connectUs(), out);
        out.append(",\"end\":");
        string(e.end(), out);
        out.append("}\n");
    }

    /** The entry's line, with its newline. */
    public static String format(final AccessLogEntry entry)
    {
        final StringBuilder out = new StringBuilder(512);
        append(entry, out);
        return out.toString();
    }

    private static void micros(final long value, final StringBuilder out)
    {
        if (value < 0)
        {
            out.append("null");
        }
        else
        {
            out.append(value);
        }
    }

    private static void address(final InetSocketAddress address, final StringBuilder out)
    {
        if (address == null)
        {
            out.append("null");
            return;
        }
        final String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        final boolean v6 = address.getAddress() instanceof Inet6Address;
        string((v6 ? "[" + host + "]" : host) + ":" + address.getPort(), out);
    }

    /** {@code value} as a JSON string ({@code null} as null), control characters and lone surrogates escaped. */
    public static void string(final String value, final StringBuilder out)
    {
        if (value == null)
        {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == 0x7F || (c >= 0xD800 && c <= 0xDFFF))
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
