package io.gatehouse.loadgen;

import java.util.Objects;

/**
 * How to start one {@link Backend}. Immutable; the {@code with*} methods return changed copies.
 *
 * @param mode          what it does with a connection.
 * @param host          address to bind (a literal; loopback for tests).
 * @param port          port to bind, 0 for an ephemeral one.
 * @param id            the identity it shows: greeting line or response prefix. No '\n'.
 * @param tls           the certificate it terminates TLS with, or {@code null} for plain TCP.
 * @param responseBytes size of a {@link BackendMode#RESPOND} response (at least the id plus '\n').
 * @param threads       event loops.
 * @param transport     epoll or NIO.
 * @param close         what it does after its first answer (greeting line, or first response).
 */
public record BackendSpec(
    BackendMode mode,
    String host,
    int port,
    String id,
    SelfSignedIdentity tls,
    int responseBytes,
    int threads,
    IoTransport transport,
    BackendClose close)
{
    public static final int DEFAULT_RESPONSE_BYTES = 64;

    public BackendSpec
    {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(transport, "transport");
        if (id.isEmpty() || id.indexOf('\n') >= 0 || id.length() > 255)
        {
            throw new IllegalArgumentException("id must be 1..255 characters without a newline: '" + id + "'");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        responseBytes = Math.max(responseBytes, id.length() + 1);
        if (close == null)
        {
            close = BackendClose.NONE;
        }
    }

    /** A plain backend on 127.0.0.1, ephemeral port, one event loop, the best transport. */
    public static BackendSpec of(final BackendMode mode, final String id)
    {
        return new BackendSpec(mode, "127.0.0.1", 0, id, null, DEFAULT_RESPONSE_BYTES, 1, IoTransport.best(), BackendClose.NONE);
    }

    public BackendSpec withAddress(final String newHost, final int newPort)
    {
        return new BackendSpec(mode, newHost, newPort, id, tls, responseBytes, threads, transport, close);
    }

    public BackendSpec withTls(final SelfSignedIdentity identity)
    {
        return new BackendSpec(mode, host, port, id, identity, responseBytes, threads, transport, close);
    }

    public BackendSpec withResponseBytes(final int bytes)
    {
        return new BackendSpec(mode, host, port, id, tls, bytes, threads, transport, close);
    }

    public BackendSpec withThreads(final int count)
    {
        return new BackendSpec(mode, host, port, id, tls, responseBytes, count, transport, close);
    }

    public BackendSpec withClose(final BackendClose newClose)
    {
        return new BackendSpec(mode, host, port, id, tls, responseBytes, threads, transport, newClose);
    }

    public BackendSpec withTransport(final IoTransport newTransport)
    {
        return new BackendSpec(mode, host, port, id, tls, responseBytes, threads, newTransport, close);
    }
}
