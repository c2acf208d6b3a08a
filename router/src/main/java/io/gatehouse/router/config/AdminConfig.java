package io.gatehouse.router.config;

import java.nio.file.Path;

/**
 * The admin endpoint: {@code GET /metrics}, {@code POST /reload} and the rest of the admin API. Loopback by
 * default.
 *
 * @param address   where it listens.
 * @param tokenFile a file holding the bearer token every {@code POST} must present, or {@code null} for none;
 *                  a relative path is resolved against the config file's directory.
 */
public record AdminConfig(HostPort address, String tokenFile)
{
    /** Without a token. */
    public AdminConfig(final HostPort address)
    {
        this(address, null);
    }

    /** The token file as a path, resolved against {@code configFile}'s directory; {@code null} when none is set. */
    public Path tokenPath(final Path configFile)
    {
        if (tokenFile == null)
        {
            return null;
        }
        final Path path = Path.of(tokenFile);
        if (path.isAbsolute() || configFile == null || configFile.toAbsolutePath().getParent() == null)
        {
            return path;
        }
        return configFile.toAbsolutePath().getParent().resolve(path);
    }

    /** Whether {@code host} is a loopback name or literal ({@code localhost}, 127.0.0.0/8, {@code ::1}). */
    public static boolean isLoopback(final String host)
    {
        if (host.equalsIgnoreCase("localhost"))
        {
            return true;
        }
        final byte[] bytes = InetLiteral.parse(host);
        if (bytes == null)
        {
            return false;
        }
        if (bytes.length == 4)
        {
            return bytes[0] == 127;
        }
        for (int i = 0; i < 15; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return bytes[15] == 1;
    }
}
