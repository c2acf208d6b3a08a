package io.gatehouse.router.health;

import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.IOException;
import java.io.InputStream;
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
 * The DNS name of a backend, if it is one, is resolved by the connect on each probe.
 */
public final class SocketProber implements Prober
{
    private static final int CONTENT_TYPE_ALERT = 21;
    private static final int CONTENT_TYPE_HANDSHAKE = 22;

    @Override
    public boolean probe(final HostPort backend, final HealthCheckConfig.Check check, final String serverName, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        try (Socket socket = new Socket())
        {
            socket.setTcpNoDelay(true);
            socket.setSoLinger(true, 0);
            socket.connect(new InetSocketAddress(backend.host(), backend.port()), (int)Math.max(1, timeoutMs));
            if (check != HealthCheckConfig.Check.TLS)
            {
                return true;
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
                    return false;
                }
                socket.setSoTimeout((int)Math.min(Integer.MAX_VALUE, leftMs));
                final int n = in.read(header, read, header.length - read);
                if (n < 0)
                {
                    return false;
                }
                read += n;
            }
            final int type = header[0] & 0xFF;
            return (type == CONTENT_TYPE_HANDSHAKE || type == CONTENT_TYPE_ALERT) && header[1] == 3;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }
}
