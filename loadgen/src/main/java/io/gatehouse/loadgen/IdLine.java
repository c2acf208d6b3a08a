package io.gatehouse.loadgen;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads a backend's identity line ({@code <id>\n}, at most 256 bytes) from the bytes of one
 * connection, across reads, and compares it with the id expected. One per slot, reused per
 * connection; event loop only; allocates only when describing a mismatch.
 */
final class IdLine
{
    static final int MAX_BYTES = 256;

    /** {@link #consume} results. */
    static final int NEED_MORE_DATA = 0;
    static final int MATCH = 1;
    static final int MISMATCH = 2;
    static final int TOO_LONG = 3;

    private final byte[][] expected;
    private final byte[] line = new byte[MAX_BYTES];
    private int length;

    /** @param expectedIds the id required, several separated by commas (any of them), or {@code null} to accept any. */
    IdLine(final String expectedIds)
    {
        if (expectedIds == null)
        {
            this.expected = null;
        }
        else
        {
            final String[] ids = expectedIds.split(",");
            this.expected = new byte[ids.length][];
            for (int i = 0; i < ids.length; i++)
            {
                expected[i] = ids[i].strip().getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    void reset()
    {
        length = 0;
    }

    /**
     * Takes bytes up to and including the first '\n' from {@code data} (advancing its reader index).
     *
     * @return {@link #NEED_MORE_DATA}, {@link #MATCH}, {@link #MISMATCH} or {@link #TOO_LONG}.
     */
    int consume(final ByteBuf data)
    {
        while (data.isReadable())
        {
            final byte b = data.readByte();
            if (b == '\n')
            {
                return matches() ? MATCH : MISMATCH;
            }
            if (MAX_BYTES - length < 1)
            {
                return TOO_LONG;
            }
            line[length++] = b;
        }
        return NEED_MORE_DATA;
    }

    private boolean matches()
    {
        if (expected == null)
        {
            return true;
        }
        for (final byte[] id : expected)
        {
            if (matches(id))
            {
                return true;
            }
        }
        return false;
    }

    private boolean matches(final byte[] id)
    {
        if (id.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (id[i] != line[i])
            {
                return false;
            }
        }
        return true;
    }

    /** What was read so far, for an error message. */
    String seen()
    {
        return new String(line, 0, length, StandardCharsets.US_ASCII);
    }
}
