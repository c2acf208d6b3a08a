package io.gatehouse.loadgen;

import java.util.Objects;

/**
 * Everything one load run needs; built by the command line or by a test. Immutable.
 *
 * @param mode          what a transaction is.
 * @param host          target host (a literal or a name resolved once).
 * @param port          target port.
 * @param rate          transactions (or connections) per second, open loop; ignored by {@code stream}.
 * @param durationNs    the measured part.
 * @param warmupNs      run before measuring; its histograms are discarded, its errors reported apart.
 * @param connections   {@code rr}/{@code stream}: persistent connections; {@code connect}/{@code tls}:
 *                      the most transactions in flight at once.
 * @param threads       event loops.
 * @param sni           the server name sent (ClientHello SNI, TLS SNI), or {@code null}.
 * @param helloBytes    the ClientHello size on the wire (0 = natural size, about 250 bytes).
 * @param requestBytes  {@code rr}/{@code tls} request size (echoed back).
 * @param expectId      the backend id expected in the greeting/response line, or {@code null} for any.
 * @param timeoutNs     deadline of one transaction (connect, handshake, response).
 * @param direction     {@code stream} only.
 * @param transport     epoll or NIO.
 * @param close         {@code connect} only: how a transaction ends once the answer is in.
 */
public record LoadSettings(
    LoadMode mode,
    String host,
    int port,
    double rate,
    long durationNs,
    long warmupNs,
    int connections,
    int threads,
    String sni,
    int helloBytes,
    int requestBytes,
    String expectId,
    long timeoutNs,
    StreamDirection direction,
    IoTransport transport,
    CloseMode close)
{
    public LoadSettings
    {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        if (mode != LoadMode.STREAM && !(rate > 0))
        {
            throw new IllegalArgumentException("--rate must be above zero for mode " + mode.key());
        }
        if (durationNs <= 0 || warmupNs < 0 || timeoutNs <= 0)
        {
            throw new IllegalArgumentException("duration and timeout must be above zero, warm-up not negative");
        }
        if (connections < 1 || threads < 1)
        {
            throw new IllegalArgumentException("connections and threads must be at least 1");
        }
        if (requestBytes < 1)
        {
            throw new IllegalArgumentException("request size must be at least 1 byte");
        }
        if (helloBytes < 0 || helloBytes > ClientHelloTemplate.MAX_SIZE)
        {
            throw new IllegalArgumentException("hello size must be 0.." + ClientHelloTemplate.MAX_SIZE);
        }
        if (direction == null)
        {
            direction = StreamDirection.UP;
        }
        if (close == null)
        {
            close = CloseMode.CLIENT;
        }
        if (close != CloseMode.CLIENT && mode != LoadMode.CONNECT)
        {
            throw new IllegalArgumentException("--close " + close.key() + " is for mode connect only");
        }
    }

    /** Defaults for a short run of {@code mode} against {@code host:port} at {@code rate}. */
    public static LoadSettings of(final LoadMode mode, final String host, final int port, final double rate, final long durationNs)
    {
        final int connections = mode == LoadMode.RR ? 16 : mode == LoadMode.STREAM ? 4 : 1024;
        return new LoadSettings(mode, host, port, rate, durationNs, 0, connections, 1, null, 0, 64, null,
            5_000_000_000L, StreamDirection.UP, IoTransport.best(), CloseMode.CLIENT);
    }

    public LoadSettings withRate(final double newRate)
    {
        return new LoadSettings(mode, host, port, newRate, durationNs, warmupNs, connections, threads, sni, helloBytes, requestBytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withDurationNs(final long ns)
    {
        return new LoadSettings(mode, host, port, rate, ns, warmupNs, connections, threads, sni, helloBytes, requestBytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withWarmupNs(final long ns)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, ns, connections, threads, sni, helloBytes, requestBytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withConnections(final int count)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, count, threads, sni, helloBytes, requestBytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withThreads(final int count)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, count, sni, helloBytes, requestBytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withSni(final String name)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, name, helloBytes, requestBytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withHelloBytes(final int bytes)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, sni, bytes, requestBytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withRequestBytes(final int bytes)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, sni, helloBytes, bytes,
            expectId, timeoutNs, direction, transport, close);
    }

    public LoadSettings withExpectId(final String id)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, sni, helloBytes, requestBytes,
            id, timeoutNs, direction, transport, close);
    }

    public LoadSettings withTimeoutNs(final long ns)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, sni, helloBytes, requestBytes,
            expectId, ns, direction, transport, close);
    }

    public LoadSettings withDirection(final StreamDirection newDirection)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, sni, helloBytes, requestBytes,
            expectId, timeoutNs, newDirection, transport, close);
    }

    public LoadSettings withTransport(final IoTransport newTransport)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, sni, helloBytes, requestBytes,
            expectId, timeoutNs, direction, newTransport, close);
    }

    public LoadSettings withClose(final CloseMode newClose)
    {
        return new LoadSettings(mode, host, port, rate, durationNs, warmupNs, connections, threads, sni, helloBytes, requestBytes,
            expectId, timeoutNs, direction, transport, newClose);
    }

    /** {@code host:port}, IPv6 in brackets. */
    public String target()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
