package io.gatehouse.sni;

import java.io.ByteArrayOutputStream;

import static io.gatehouse.sni.HandBuiltHello.cat;
import static io.gatehouse.sni.HandBuiltHello.u8;

/** A test-side HPACK and HTTP/2 frame writer, enough to hand-build h2c first flights. */
final class Hpack
{
    private Hpack()
    {
    }

    static byte[] huffman(final String text)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long bits = 0;
        int count = 0;
        for (final byte b : Flight.ascii(text))
        {
            final int symbol = b & 0xff;
            bits = (bits << HuffmanCode.codeLength(symbol)) | HuffmanCode.code(symbol);
            count += HuffmanCode.codeLength(symbol);
            while (count >= 8)
            {
                out.write((int)(bits >>> (count - 8)));
                count -= 8;
            }
        }
        if (count > 0)
        {
            out.write((int)((bits << (8 - count)) | (0xff >>> count)));
        }
        return out.toByteArray();
    }

    /** RFC 7541 s5.1 with the given high bits in the first byte. */
    static byte[] integer(final int firstByteFlags, final int prefixBits, final int value)
    {
        final int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            return u8(firstByteFlags | value);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByteFlags | max);
        int rest = value - max;
        while (rest >= 128)
        {
            out.write((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        out.write(rest);
        return out.toByteArray();
    }

    static byte[] string(final String text, final boolean huffman)
    {
        final byte[] bytes = huffman ? huffman(text) : Flight.ascii(text);
        return cat(integer(huffman ? 0x80 : 0, 7, bytes.length), bytes);
    }

    static byte[] indexed(final int index)
    {
        return integer(0x80, 7, index);
    }

    /** Literal with incremental indexing, indexed name. */
    static byte[] incremental(final int nameIndex, final String value, final boolean huffman)
    {
        return cat(integer(0x40, 6, nameIndex), string(value, huffman));
    }

    /** Literal with incremental indexing, new name. */
    static byte[] incremental(final String name, final String value, final boolean huffman)
    {
        return cat(u8(0x40), string(name, huffman), string(value, huffman));
    }

    /** Literal without indexing (0x00) or never indexed (0x10), new name. */
    static byte[] literal(final int flags, final String name, final String value, final boolean huffman)
    {
        return cat(u8(flags), string(name, huffman), string(value, huffman));
    }

    /** Literal without indexing (0x00) or never indexed (0x10), indexed name. */
    static byte[] literal(final int flags, final int nameIndex, final String value, final boolean huffman)
    {
        return cat(integer(flags, 4, nameIndex), string(value, huffman));
    }

    static byte[] sizeUpdate(final int size)
    {
        return integer(0x20, 5, size);
    }

    static byte[] frame(final int type, final int flags, final int streamId, final byte[] payload)
    {
        return cat(HandBuiltHello.u24(payload.length), u8(type), u8(flags),
            new byte[] {(byte)(streamId >>> 24), (byte)(streamId >>> 16), (byte)(streamId >>> 8), (byte)streamId}, payload);
    }

    static byte[] settings()
    {
        return frame(4, 0, 0, cat(HandBuiltHello.u16(3), new byte[] {0, 0, 0, 100}));
    }

    static byte[] headers(final byte[] block)
    {
        return frame(1, 0x4 | 0x1, 1, block);
    }

    /** The preface, SETTINGS, then the given frames. */
    static byte[] h2c(final byte[]... frames)
    {
        return cat(H2Descriptor.PREFACE, settings(), cat(frames));
    }

    /** A usual first block around the given :authority representation. */
    static byte[] request(final byte[] authority)
    {
        return cat(indexed(2), indexed(6), indexed(4), authority, literal(0, 58, "test/1.0", false));
    }
}
