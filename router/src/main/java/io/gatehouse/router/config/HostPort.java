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
    @Override
    public String toString()
    {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
