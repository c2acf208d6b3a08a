package io.gatehouse.sni;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The HPACK Huffman code (RFC 7541 Appendix B) and its decoder. The code is canonical: the table
 * below holds only each symbol's code length (symbols 0..255 and EOS = 256) and the codes follow by
 * the canonical rule (shorter codes first, ties by symbol), which reproduces Appendix B exactly
 * ({@code HuffmanCodeTest} checks codes from the RFC and its C.4 examples).
 *
 * <p>Thread-safe: immutable tables built once at class load. Decoding allocates nothing; it walks a
 * binary tree one bit at a time, which is linear in the input and fast enough for the few short
 * strings of a first HEADERS block.
 */
final class HuffmanCode
{
    static final int EOS = 256;
    static final int INVALID = -1;
    static final int OVERFLOW = -2;

    private static final byte[] CODE_LENGTHS =
    {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28,
        28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5,
        6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7,
        6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23,
        23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23,
        23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22,
        23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24,
        21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26,
        27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30
    };

    private static final int[] CODES = new int[EOS + 1];
    /** Node n's children at [2n] (bit 0) and [2n+1] (bit 1): a node index > 0, or -(symbol + 1). */
    private static final int[] TREE = new int[2 * EOS];

    static
    {
        final Integer[] order = new Integer[EOS + 1];
        for (int symbol = 0; symbol <= EOS; symbol++)
        {
            order[symbol] = symbol;
        }
        java.util.Arrays.sort(order, (a, b) -> CODE_LENGTHS[a] != CODE_LENGTHS[b] ? CODE_LENGTHS[a] - CODE_LENGTHS[b] : a - b);
        int code = 0;
        int previousLength = CODE_LENGTHS[order[0]];
        int nodeCount = 1;
        for (int i = 0; i < order.length; i++)
        {
            final int symbol = order[i];
            final int length = CODE_LENGTHS[symbol];
            if (i > 0)
            {
                code = (code + 1) << (length - previousLength);
            }
            previousLength = length;
            CODES[symbol] = code;

            int node = 0;
            for (int bitIndex = length - 1; bitIndex > 0; bitIndex--)
            {
                final int slot = 2 * node + ((code >>> bitIndex) & 1);
                if (TREE[slot] == 0)
                {
                    TREE[slot] = nodeCount++;
                }
                node = TREE[slot];
            }
            TREE[2 * node + (code & 1)] = -(symbol + 1);
        }
    }

    private HuffmanCode()
    {
    }

    static int code(final int symbol)
    {
        return CODES[symbol];
    }

    static int codeLength(final int symbol)
    {
        return CODE_LENGTHS[symbol];
    }

    /**
     * Decodes src[offset, offset+length) into dst from dstOffset, writing at most dstCapacity bytes;
     * dst may be null to count only.
     *
     * @return the decoded length, {@link #INVALID} (EOS decoded, padding longer than 7 bits or not
     *     all ones) or {@link #OVERFLOW} (more than dstCapacity bytes; only when dst is not null).
     */
    static int decode(
        final DirectBuffer src,
        final int offset,
        final int length,
        final MutableDirectBuffer dst,
        final int dstOffset,
        final int dstCapacity)
    {
        int node = 0;
        int depth = 0;
        boolean allOnes = true;
        int written = 0;
        final int end = offset + length;
        for (int i = offset; i < end; i++)
        {
            final int octet = src.getByte(i) & 0xff;
            for (int bitIndex = 7; bitIndex >= 0; bitIndex--)
            {
                final int bit = (octet >>> bitIndex) & 1;
                final int next = TREE[2 * node + bit];
                if (next < 0)
                {
                    final int symbol = -next - 1;
                    if (symbol == EOS)
                    {
                        return INVALID;
                    }
                    if (dst != null)
                    {
                        if (written == dstCapacity)
                        {
                            return OVERFLOW;
                        }
                        dst.putByte(dstOffset + written, (byte)symbol);
                    }
                    written++;
                    node = 0;
                    depth = 0;
                    allOnes = true;
                }
                else
                {
                    node = next;
                    depth++;
                    allOnes &= bit == 1;
                }
            }
        }
        if (depth > 7 || !allOnes)
        {
            return INVALID;
        }
        return written;
    }
}
