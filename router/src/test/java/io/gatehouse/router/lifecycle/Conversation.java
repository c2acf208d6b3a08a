package io.gatehouse.router.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One connection's bytes under one close pattern, the same on the client and the backend side: both
 * derive them from the pattern and the connection's number, so each side checks every byte it receives
 * against what the other sent, without sharing state. The client's first bytes are an HTTP/1.1 head
 * naming the pattern (what the router peeks and routes) and the connection's number.
 */
final class Conversation
{
    /** How a read to the end of a stream finished. */
    enum End
    {
        EOF,
        RESET,
        TIMEOUT
    }

    /** Thrown when a stream ends before the bytes expected; {@link #missing} is how many did not come. */
    static final class ShortRead extends IOException
    {
        private static final long serialVersionUID = 1L;

        final long missing;

        ShortRead(final String message, final long missing, final Throwable cause)
        {
            super(message, cause);
            this.missing = missing;
        }
    }

    private static final int HEAD_MAX = 512;

    final ClosePattern pattern;
    final long id;
    /** Client to backend after the head. */
    final byte[] up;
    /** Backend to client (the first part where the pattern has two). */
    final byte[] down;
    /** Backend to client after {@link #down}, where the pattern sends a second part (else empty). */
    final byte[] tail;

    private Conversation(final ClosePattern pattern, final long id, final byte[] up, final byte[] down, final byte[] tail)
    {
        this.pattern = pattern;
        this.id = id;
        this.up = up;
        this.down = down;
        this.tail = tail;
    }

    /** Sizes and bytes for connection {@code id} of {@code pattern}, within the pattern's bounds. */
    static Conversation of(final ClosePattern pattern, final long id)
    {
        final SplittableRandom random = new SplittableRandom(pattern.ordinal() * 1_000_003L + id);
        final boolean large = random.nextInt(16) == 0;
        final int up = pattern.maxUp == 0 ? 0 : random.nextInt(large ? pattern.maxUp * 8 : pattern.maxUp + 1);
        final int down = 1 + random.nextInt(large && pattern.largeDown ? pattern.maxDown * 8 : pattern.maxDown);
        final int tail = pattern.maxTail == 0 ? 0 : 1 + random.nextInt(pattern.maxTail);
        return new Conversation(pattern, id, bytes(random, up), bytes(random, down), bytes(random, tail));
    }

    String host()
    {
        return pattern.host();
    }

    byte[] head()
    {
        return ("GET /" + id + " HTTP/1.1\r\nHost: " + pattern.host() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads a head written by {@link #head()} one byte at a time (nothing past it is consumed) and
     * returns its conversation.
     */
    static Conversation readHead(final InputStream in) throws IOException
    {
        final StringBuilder head = new StringBuilder();
        while (!(head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")))
        {
            final int b = in.read();
            if (b < 0 || head.length() >= HEAD_MAX)
            {
                throw new IOException("no complete head: " + head);
            }
            head.append((char)b);
        }
        final String text = head.toString();
        final int hostAt = text.indexOf("Host: ");
        if (!text.startsWith("GET /") || hostAt < 0)
        {
            throw new IOException("not a conversation head: " + text);
        }
        final long id = Long.parseLong(text.substring(5, text.indexOf(' ', 5)));
        final String host = text.substring(hostAt + 6, text.indexOf("\r\n", hostAt));
        return of(ClosePattern.byHost(host), id);
    }

    static void write(final Socket socket, final byte[] data) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write(data);
        out.flush();
    }

    /** Reads exactly {@code expected.length} bytes and checks each one against {@code expected}. */
    static void expect(final Socket socket, final byte[] expected, final String what) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final byte[] got = new byte[expected.length];
        int read = 0;
        try
        {
            while (read < got.length)
            {
                final int n = in.read(got, read, got.length - read);
                if (n < 0)
                {
                    throw new ShortRead(what + ": EOF after " + read + " of " + got.length + " bytes", got.length - read, null);
                }
                read += n;
            }
        }
        catch (final ShortRead ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            throw new ShortRead(what + ": " + ex + " after " + read + " of " + got.length + " bytes", got.length - read, ex);
        }
        if (!Arrays.equals(expected, got))
        {
            throw new AssertionError(what + ": " + got.length + " bytes arrived but differ from the bytes sent");
        }
    }

    /** Reads until the stream ends; more bytes than none are an error (the peer had nothing more to send). */
    static End readEnd(final Socket socket, final String what) throws IOException
    {
        final byte[] buffer = new byte[4096];
        long extra = 0;
        End end;
        try
        {
            final InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0)
            {
                extra += n;
            }
            end = End.EOF;
        }
        catch (final SocketTimeoutException ex)
        {
            end = End.TIMEOUT;
        }
        catch (final IOException ex)
        {
            end = End.RESET;
        }
        if (extra > 0)
        {
            throw new AssertionError(what + ": " + extra + " bytes more than were sent, then " + end);
        }
        return end;
    }

    /** Reads to the end and requires a clean EOF (a FIN, or close_notify over TLS). */
    static void expectEof(final Socket socket, final String what) throws IOException
    {
        final End end = readEnd(socket, what);
        if (end != End.EOF)
        {
            throw new AssertionError(what + ": expected EOF, got " + end);
        }
    }

    /** Reads to the end and accepts EOF or a reset, not a hang. */
    static void expectEofOrReset(final Socket socket, final String what) throws IOException
    {
        final End end = readEnd(socket, what);
        if (end == End.TIMEOUT)
        {
            throw new AssertionError(what + ": no EOF and no reset within the read timeout");
        }
    }

    /** Closes with an RST (SO_LINGER 0). */
    static void reset(final Socket socket) throws IOException
    {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static byte[] bytes(final SplittableRandom random, final int length)
    {
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i += 8)
        {
            long word = random.nextLong();
            for (int j = i; j < Math.min(length, i + 8); j++)
            {
                data[j] = (byte)word;
                word >>>= 8;
            }
        }
        return data;
    }
}
