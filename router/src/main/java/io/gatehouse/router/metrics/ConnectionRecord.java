package io.gatehouse.router.metrics;

import io.gatehouse.router.log.AccessLog;
import io.gatehouse.router.log.AccessLogEntry;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What the access log says about one client connection, gathered along the data path and offered once
 * at close. Made only while an access log is configured (it holds Strings: the name and ALPN are copied
 * out of the parser at routing time). Event loop thread only.
 */
public final class ConnectionRecord
{
    private final AccessLog log;
    private final String listener;
    private final long acceptedNs;
    private InetSocketAddress client;
    private String protocol;
    private String name;
    private String alpn;
    private String route;
    private InetSocketAddress backend;
    private long decidedNs = -1;
    private long connectStartNs = -1;
    private long connectedNs = -1;
    private long bytesIn;
    private long bytesOut;
    private boolean offered;

    public ConnectionRecord(final AccessLog log, final String listener, final InetSocketAddress client, final long acceptedNs)
    {
        this.log = log;
        this.listener = listener;
        this.client = client;
        this.acceptedNs = acceptedNs;
    }

    /** The client as a trusted PROXY header named it. */
    public void client(final InetSocketAddress value)
    {
        client = value;
    }

    /** The peek decided (protocol {@code tls}/{@code http1}/{@code h2c} or null; name and ALPN or null). */
    public void decided(final long nowNs, final String protocolText, final String nameText, final String alpnText)
    {
        decidedNs = nowNs;
        protocol = protocolText;
        name = nameText;
        alpn = alpnText;
    }

    public void connecting(final long nowNs, final String routeId)
    {
        connectStartNs = nowNs;
        route = routeId;
    }

    public void connected(final long nowNs, final InetSocketAddress backendAddress)
    {
        connectedNs = nowNs;
        backend = backendAddress;
    }

    public void onBytes(final long clientToBackend, final long backendToClient)
    {
        bytesIn += clientToBackend;
        bytesOut += backendToClient;
    }

    /** Offers the line (once); a full queue drops it, counted by the access log. */
    public void close(final long nowNs, final String end)
    {
        if (offered)
        {
            return;
        }
        offered = true;
        log.offer(new AccessLogEntry(
            System.currentTimeMillis(), client, listener, protocol, name, alpn, route, backend, bytesIn, bytesOut,
            micros(nowNs - acceptedNs), decidedNs < 0 ? -1 : micros(decidedNs - acceptedNs),
            connectedNs < 0 ? -1 : micros(connectedNs - connectStartNs), end));
    }

    private static long micros(final long ns)
    {
        return TimeUnit.NANOSECONDS.toMicros(Math.max(0, ns));
    }
}
