package io.gatehouse.router.reliability;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/** Client-side moves of the suite on loopback: connect, echo round trips that check every byte, reading to the close. */
final class Loopback
{
    /** How a client connection ended after its last read. */
    enum End
    {
        EOF,
        RESET,
        TIMEOUT
    }

    private Loopback()
    {
    }

    static Socket connect(final InetSocketAddress address, final int readTimeoutMs) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(readTimeoutMs);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Whether a connect to {@code address} fails within a second: nothing listens there any more. */
    static boolean refuses(final InetSocketAddress address)
    {
        try (Socket probe = new Socket())
        {
            probe.connect(address, 1_000);
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /** An HTTP/1.1 request head naming {@code host}: the first flight the router peeks. */
    static byte[] httpHead(final String host)
    {
        return ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Deterministic payload bytes for one connection. */
    static byte[] payload(final long seed, final int bytes)
    {
        final byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return data;
    }

    /**
     * Writes {@code data} and reads the same number of bytes back, checking each one.
     *
     * @throws IOException    when the connection ends or times out first.
     * @throws AssertionError when a byte differs.
     */
    static void roundTrip(final Socket socket, final byte[] data) throws IOException
    {
        socket.getOutputStream().write(data);
        socket.getOutputStream().flush();
        final byte[] back = readExactly(socket.getInputStream(), data.length);
        if (!Arrays.equals(data, back))
        {
            throw new AssertionError("echoed bytes differ from the bytes sent (" + data.length + " bytes)");
        }
    }

    static byte[] readExactly(final InputStream in, final int bytes) throws IOException
    {
        final byte[] buffer = new byte[bytes];
        int read = 0;
        while (read < bytes)
        {
            final int n = in.read(buffer, read, bytes - read);
            if (n < 0)
            {
                throw new IOException("closed after " + read + " of " + bytes + " bytes");
            }
            read += n;
        }
        return buffer;
    }

    /** Reads and discards until the peer closes, resets, or {@code socket}'s read timeout passes. */
    static End readToEnd(final Socket socket)
    {
        final byte[] buffer = new byte[8192];
        try
        {
            final InputStream in = socket.getInputStream();
            while (in.read(buffer) >= 0)
            {
                // Drained.
            }
            return End.EOF;
        }
        catch (final SocketTimeoutException ex)
        {
            return End.TIMEOUT;
        }
        catch (final IOException ex)
        {
            return End.RESET;
        }
    }

    /** Closes with an RST (linger 0), which is what a killed process's sockets send. */
    static void reset(final Socket socket)
    {
        try
        {
            socket.setSoLinger(true, 0);
            socket.close();
        }
        catch (final IOException ex)
        {
            // Already gone.
        }
    }

    static void write(final Socket socket, final byte[] data) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write(data);
        out.flush();
    }

    /** A loopback port free now (bound then released), for a child process's config. */
    static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            probe.setReuseAddress(true);
            return probe.getLocalPort();
        }
    }

    /** Open file descriptors of this process. */
    static int openFds()
    {
        return openFds(ProcessHandle.current().pid());
    }

    static int openFds(final long pid)
    {
        final String[] entries = new File("/proc/" + pid + "/fd").list();
        return entries == null ? -1 : entries.length;
    }
}
