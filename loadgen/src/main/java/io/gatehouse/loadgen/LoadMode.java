package io.gatehouse.loadgen;

import java.util.Locale;

/** What one transaction of a load run is. See the README, "Modes". */
public enum LoadMode
{
    /** A new TCP connection, a ClientHello, the backend's first bytes (or its id line), close. */
    CONNECT,
    /** One request of N bytes and its echo over a persistent connection. */
    RR,
    /** Bulk bytes up, down or both ways over persistent connections; reports throughput. */
    STREAM,
    /** A new TCP connection, a full TLS handshake with SNI, the greeting, one request and its echo, close. */
    TLS;

    public String key()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
