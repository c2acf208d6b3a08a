package io.gatehouse.router.config;

/**
 * A {@code host:port} as written in the config ({@code [::1]:8446} for IPv6). Not resolved here:
 * listeners bind it, backends connect to it.
 *
 * @param host a literal address or a DNS name, without brackets.
 * @param port 0..65535 (0 only for listeners: an ephemeral port, used by tests).
 */
public record HostPort(String host, int port)
{
    /**
     * Parses {@code host:port} or {@code [v6]:port}. The host is an IPv4 or IPv6 literal or a DNS name;
     * the port is 0..65535.
     *
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static HostPort parse(final String text)
    {
        final String host;
        final String portText;
        if (text.startsWith("["))
        {
            final int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':')
            {
                throw new IllegalArgumentException("expected [IPv6]:port, got '" + text + "'");
            }
            host = text.substring(1, close);
            portText = text.substring(close + 2);
            final byte[] bytes = InetLiteral.parse(host);
            if (host.indexOf(':') < 0 || bytes == null)
            {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
        }
        else
        {
            final int colon = text.lastIndexOf(':');
            if (colon < 0)
            {
                throw new IllegalArgumentException("expected host:port, got '" + text + "'");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
            if (host.indexOf(':') >= 0)
            {
                throw new IllegalArgumentException("write an IPv6 address in brackets: [" + host + "]:" + portText);
            }
            if (host.isEmpty())
            {
                throw new IllegalArgumentException("missing host in '" + text + "' (use 0.0.0.0 or [::] for every address)");
            }
            if (InetLiteral.parseIpv4(host) == null)
            {
                final boolean numeric = host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
                if (numeric)
                {
                    throw new IllegalArgumentException("'" + host + "' is not an IPv4 address");
                }
                try
                {
                    if (Hostname.isWildcard(Hostname.normalise(host)))
                    {
                        throw new IllegalArgumentException("a wildcard is not an address: '" + host + "'");
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("'" + host + "' is neither an IP address nor a host name");
                }
            }
        }
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw new IllegalArgumentException("port must be a number 0..65535, got '" + portText + "'");
        }
        final int port = Integer.parseInt(portText);
        if (port > 65535)
        {
            throw new IllegalArgumentException("port must be a number 0..65535, got '" + portText + "'");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString()
    {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
