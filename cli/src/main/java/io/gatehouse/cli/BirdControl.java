package io.gatehouse.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One connection to BIRD 2's control socket ({@code /run/bird/bird.ctl}): the text protocol
 * {@code birdc} speaks, so that {@code gatehouse announce} can enable and disable a protocol many
 * times a second without a {@code birdc} process each time. No BGP here: BIRD keeps every session.
 *
 * <p>The protocol (BIRD's {@code doc/prog-client}, seen on 2.0.12): on connect the daemon writes
 * {@code 0001 BIRD 2.0.12 ready.}; each command is one line; each reply is lines of a four-digit code,
 * then {@code '-'} (more follows) or {@code ' '} (the last line), then text; a line that begins with a
 * space continues the previous code. Codes met here: {@code 0008} already disabled, {@code 0009}
 * disabled, {@code 0010} already enabled, {@code 0011} enabled, {@code 8xxx} run-time errors (e.g.
 * {@code 8003 No protocols match}), {@code 9xxx} parse errors.
 *
 * <p>Every read has a deadline: a daemon that stops answering costs one {@link IOException}, never a
 * hang. Not thread-safe; used by one thread (the announcer's loop). Allocates per command (control path).
 */
final class BirdControl implements AutoCloseable
{
    /** The reply to one command: the code of its last line (0 for the {@code 0000} terminator) and all of its text. */
    record Reply(int code, List<Integer> codes, String text)
    {
        boolean isError()
        {
            return codes.stream().anyMatch(c -> c >= 8000);
        }

        boolean has(final int wanted)
        {
            return codes.contains(wanted);
        }
    }

    static final int ALREADY_DISABLED = 8;
    static final int DISABLED = 9;
    static final int ALREADY_ENABLED = 10;
    static final int ENABLED = 11;

    private static final int MAX_REPLY_BYTES = 1 << 20;

    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutNs;
    private final ByteBuffer buffer = ByteBuffer.allocate(8192);
    private final StringBuilder pending = new StringBuilder();
    private final String greeting;

    private BirdControl(final SocketChannel channel, final Selector selector, final long timeoutMs) throws IOException
    {
        this.channel = channel;
        this.selector = selector;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.greeting = readReply().text();
    }

    /** Connects to the control socket at {@code path} and reads BIRD's greeting, each within {@code timeoutMs}. */
    static BirdControl connect(final Path path, final long timeoutMs) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = null;
        try
        {
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new BirdControl(channel, selector, timeoutMs);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (selector != null)
            {
                selector.close();
            }
            channel.close();
            throw ex;
        }
    }

    /** BIRD's first line, e.g. {@code BIRD 2.0.12 ready.} */
    String greeting()
    {
        return greeting;
    }

    /** Sends one command line (no newline in it) and reads its whole reply. */
    Reply command(final String line) throws IOException
    {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0)
        {
            throw new IllegalArgumentException("one line per command: " + line);
        }
        final ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining())
        {
            if (channel.write(out) == 0)
            {
                Thread.onSpinWait();
            }
        }
        return readReply();
    }

    private Reply readReply() throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        final List<Integer> codes = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        int read = 0;
        while (true)
        {
            int newline;
            while ((newline = pending.indexOf("\n")) >= 0)
            {
                final String reply = pending.substring(0, newline);
                pending.delete(0, newline + 1);
                if (reply.length() >= 5 && isCode(reply))
                {
                    final int code = Integer.parseInt(reply.substring(0, 4));
                    codes.add(code);
                    if (text.length() > 0 && reply.length() > 5)
                    {
                        text.append('\n');
                    }
                    text.append(reply, 5, reply.length());
                    if (reply.charAt(4) == ' ')
                    {
                        return new Reply(code, List.copyOf(codes), text.toString());
                    }
                }
                else if (reply.startsWith(" "))
                {
                    text.append('\n').append(reply, 1, reply.length());
                }
                else
                {
                    throw new IOException("not a BIRD control reply line: '" + reply + "'");
                }
            }
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0)
            {
                throw new IOException("BIRD did not answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNs)));
            selector.selectedKeys().clear();
            buffer.clear();
            final int n = channel.read(buffer);
            if (n < 0)
            {
                throw new IOException("BIRD closed its control socket");
            }
            read += n;
            if (read > MAX_REPLY_BYTES)
            {
                throw new IOException("BIRD's reply is over " + MAX_REPLY_BYTES + " bytes");
            }
            pending.append(new String(buffer.array(), 0, n, StandardCharsets.US_ASCII));
        }
    }

    private static boolean isCode(final String line)
    {
        for (int i = 0; i < 4; i++)
        {
            if (line.charAt(i) < '0' || line.charAt(i) > '9')
            {
                return false;
            }
        }
        return line.charAt(4) == ' ' || line.charAt(4) == '-';
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            selector.close();
        }
        finally
        {
            channel.close();
        }
    }
}
