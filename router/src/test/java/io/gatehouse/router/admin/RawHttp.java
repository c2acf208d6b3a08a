package io.gatehouse.router.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a plain socket, as an attacker or a browser would send it: every byte chosen by the test. */
final class RawHttp
{
    /** Status line's code, the header block and the body of one answer. */
    record Answer(int status, String head, String body)
    {
        String header(final String name)
        {
            for (final String line : head.split("\r\n"))
            {
                final int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name))
                {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    private RawHttp()
    {
    }

    static Socket open(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", address.getPort()), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends {@code request} as is on a new connection and reads until the server closes it. */
    static Answer exchange(final InetSocketAddress address, final String request) throws IOException
    {
        try (Socket socket = open(address))
        {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return parse(readToEnd(socket.getInputStream()));
        }
    }

    /** A GET with {@code Host: 127.0.0.1:port} and {@code Connection: close}. */
    static Answer get(final InetSocketAddress address, final String path) throws IOException
    {
        return exchange(address, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort()
            + "\r\nConnection: close\r\n\r\n");
    }

    /** A POST with an empty body, {@code Host: 127.0.0.1:port}, and the given extra header lines. */
    static Answer post(final InetSocketAddress address, final String path, final String... headers) throws IOException
    {
        final StringBuilder request = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
            .append(address.getPort()).append("\r\nContent-Length: 0\r\nConnection: close\r\n");
        for (final String header : headers)
        {
            request.append(header).append("\r\n");
        }
        return exchange(address, request.append("\r\n").toString());
    }

    static String readToEnd(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] buffer = new byte[8192];
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            out.write(buffer, 0, read);
            if (out.size() > 16 * 1024 * 1024)
            {
                throw new IOException("answer larger than 16 MiB");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static Answer parse(final String text) throws IOException
    {
        final int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0)
        {
            throw new IOException("not an HTTP answer: '" + text + "'");
        }
        return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
    }
}
