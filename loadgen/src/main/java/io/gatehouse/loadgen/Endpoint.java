package io.gatehouse.loadgen;

/**
 * A {@code host:port} from the command line ({@code [::1]:9000} for IPv6). Control path only.
 *
 * @param host without brackets.
 * @param port 0..65535.
 */
public record Endpoint(String host, int port)
{
    /** @throws IllegalArgumentException with a message naming the text. */
    public static Endpoint parse(final String text)
    {
        final String host;
        final String portText;
        if (text.startsWith("["))
        {
            final int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':')
            {
                throw new IllegalArgumentException("expected [v6-address]:port, got '" + text + "'");
            }
            host = text.substring(1, close);
            portText = text.substring(close + 2);
        }
        else
        {
            final int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon)
            {
                throw new IllegalArgumentException("expected host:port, got '" + text + "'");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(portText);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad port in '" + text + "'", ex);
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port out of range in '" + text + "'");
        }
        return new Endpoint(host, port);
    }

    @Override
    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
