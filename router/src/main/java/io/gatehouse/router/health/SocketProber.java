package io.gatehouse.router.health;

import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real probes, with blocking sockets on a probe thread.
 * <ul>
 *   <li>TCP: the connect completes within the timeout.</li>
 *   <li>TLS: connect, send a browser-shaped ClientHello ({@link ClientHelloBuilder}) naming the route, and
 *       read a TLS record header back within the timeout: content type handshake (22) or alert (21), major
 *       version 3. An alert passes too: the backend is up and speaks TLS (it may simply not like our
 *       random key share). Anything else, a close, or silence fails.</li>
 * </ul>
 * The DNS name of a backend, if it is one, is resolved by the connect on each probe. A probe this host cannot
 * make (no descriptor for the socket, no local port for the connect) is {@link Prober.Result#LOCAL_RESOURCE},
 * never a failure of the backend (issue 12.8: a descriptor flood must not take healthy backends down).
 */
public final class SocketProber implements Prober
{
    private static final int CONTENT_TYPE_ALERT = 21;
    private static final int CONTENT_TYPE_HANDSHAKE = 22;

    @Override
    public Result probe(final HostPort backend, final HealthCheckConfig.Check check, final String serverName, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        final Socket socket = new Socket();
        try
        {
            // The first option creates the descriptor: a failure here (EMFILE, ENFILE, ENOBUFS) is this host's.
            socket.setTcpNoDelay(true);
            socket.setSoLinger(true, 0);
        }
        catch (final IOException ex)
        {
            closeQuietly(socket);
            return Result.LOCAL_RESOURCE;
        }
        try (socket)
        {
            try
            {
                socket.connect(new InetSocketAddress(backend.host(), backend.port()), (int)Math.max(1, timeoutMs));
            }
            catch (final BindException noLocalAddress)
            {
                // EADDRNOTAVAIL: no local port or address for the connect, as BackendConnector counts it.
                return Result.LOCAL_RESOURCE;
            }
            if (check != HealthCheckConfig.Check.TLS)
            {
                return Result.PASSED;
            }
            final byte[] hello = new ClientHelloBuilder()
                .serverName(serverName)
                .alpn("h2", "http/1.1")
                .seed(ThreadLocalRandom.current().nextLong())
                .build();
            socket.getOutputStream().write(hello);
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final byte[] header = new byte[3];
            int read = 0;
            while (read < header.length)
            {
                final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0)
                {
                    return Result.FAILED;
                }
                socket.setSoTimeout((int)Math.min(Integer.MAX_VALUE, leftMs));
                final int n = in.read(header, read, header.length - read);
                if (n < 0)
                {
                    return Result.FAILED;
                }
                read += n;
            }
            final int type = header[0] & 0xFF;
            return (type == CONTENT_TYPE_HANDSHAKE || type == CONTENT_TYPE_ALERT) && header[1] == 3 ? Result.PASSED : Result.FAILED;
        }
        catch (final IOException | RuntimeException ex)
        {
            return Result.FAILED;
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Never opened.
        }
    }
}
