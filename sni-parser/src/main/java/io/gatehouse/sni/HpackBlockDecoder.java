package io.gatehouse.sni;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes the first HEADERS field block of an h2c connection (RFC 7541) far enough to find
 * {@code :authority}, with {@code host} as the fallback. It follows every representation: indexed
 * fields, literals with and without indexing (and never indexed), dynamic table size updates, and
 * the dynamic table inserts made within this block (the connection's table starts empty). Huffman
 * strings are decoded only where needed: names to compare, the chosen values, and lengths for the
 * table's size accounting. {@code :authority} sent twice, or any {@code host} field that differs from
 * it or from another {@code host} (RFC 9113 s8.3.1; every one is compared, as HTTP/1 compares every
 * Host), is {@link PeekStatus#MALFORMED}.
 *
 * <p>The dynamic table is capped at 4096 bytes: no client may use more before it has the server's
 * SETTINGS (RFC 9113 s6.5.2), and a first HEADERS is written before that. Entries point into the
 * block's bytes; the ring holds at most 4096 / 32 of them.
 *
 * <p>One per {@link FirstFlightParser}: single thread, allocates nothing after construction.
 */
final class HpackBlockDecoder
{
    static final int MAX_TABLE_BYTES = 4096;
    private static final int ENTRY_OVERHEAD_BYTES = 32;
    private static final int MAX_ENTRIES = MAX_TABLE_BYTES / ENTRY_OVERHEAD_BYTES;
    private static final int MAX_VALUE_BYTES = 263;
    private static final int MAX_INTEGER = 1 << 21;
    private static final int OTHER = 0;
    private static final int AUTHORITY = 1;
    private static final int HOST = 2;
    private static final int STATIC_AUTHORITY = 1;
    private static final int STATIC_HOST = 38;

    /** RFC 7541 Appendix A, index 1..61; only the names matter here (for sizes and the two we want). */
    private static final String[] STATIC_NAMES =
    {
        null, ":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme", ":status", ":status",
        ":status", ":status", ":status", ":status", ":status", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "accept", "access-control-allow-origin", "age", "allow",
        "authorization", "cache-control", "content-disposition", "content-encoding", "content-language",
        "content-length", "content-location", "content-range", "content-type", "cookie", "date", "etag",
        "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
        "if-unmodified-since", "last-modified", "link", "location", "max-forwards", "proxy-authenticate",
        "proxy-authorization", "range", "referer", "refresh", "retry-after", "server", "set-cookie",
        "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via", "www-authenticate"
    };
    static final int STATIC_TABLE_ENTRIES = STATIC_NAMES.length - 1;
    private static final byte[] AUTHORITY_NAME = ":authority".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HOST_NAME = "host".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final PeekResult result;
    private final UnsafeBuffer authorityValue = new UnsafeBuffer(new byte[MAX_VALUE_BYTES]);
    private final UnsafeBuffer hostValue = new UnsafeBuffer(new byte[MAX_VALUE_BYTES]);
    private final UnsafeBuffer laterHostValue = new UnsafeBuffer(new byte[MAX_VALUE_BYTES]);
    private final UnsafeBuffer literalName = new UnsafeBuffer(new byte[AUTHORITY_NAME.length]);

    private final int[] entryKind = new int[MAX_ENTRIES];
    private final int[] entrySize = new int[MAX_ENTRIES];
    private final int[] entryNameBytes = new int[MAX_ENTRIES];
    private final int[] entryValueOffset = new int[MAX_ENTRIES];
    private final int[] entryValueLength = new int[MAX_ENTRIES];
    private final boolean[] entryValueHuffman = new boolean[MAX_ENTRIES];
    private int entryHead;
    private int entryCount;
    private int tableBytes;
    private int maxTableBytes;

    private DirectBuffer block;
    private int cursor;
    private int end;
    private int stringOffset;
    private int stringLength;
    private boolean stringHuffman;
    private int fieldKind;
    private int fieldNameBytes;
    private int fieldValueOffset;
    private int fieldValueLength;
    private boolean fieldValueHuffman;

    private int authorityOffset;
    private int authorityLength;
    private boolean authorityHuffman;
    private int hostOffset;
    private int hostLength;
    private boolean hostHuffman;
    /** The first host's plain length once decoded for a comparison, else -1. */
    private int hostPlainLength;

    HpackBlockDecoder(final PeekResult result)
    {
        this.result = result;
    }

    PeekStatus decode(final DirectBuffer buffer, final int offset, final int length)
    {
        block = buffer;
        cursor = offset;
        end = offset + length;
        entryHead = 0;
        entryCount = 0;
        tableBytes = 0;
        maxTableBytes = MAX_TABLE_BYTES;
        authorityOffset = -1;
        hostOffset = -1;
        hostPlainLength = -1;
        fieldKind = OTHER;
        boolean fieldSeen = false;
        while (cursor < end)
        {
            final int first = block.getByte(cursor) & 0xff;
            final PeekStatus status;
            if ((first & 0x80) != 0)
            {
                status = readIndexedField();
                fieldSeen = true;
            }
            else if ((first & 0xc0) == 0x40)
            {
                status = readLiteralField(6, true);
                fieldSeen = true;
            }
            else if ((first & 0xe0) == 0x20)
            {
                status = fieldSeen ? result.fail(PeekStatus.MALFORMED, PeekReason.HPACK_TABLE_SIZE) : readSizeUpdate();
            }
            else
            {
                status = readLiteralField(4, false);
                fieldSeen = true;
            }
            if (status != PeekStatus.NEED_MORE_DATA)
            {
                return status;
            }
            if (fieldKind == AUTHORITY)
            {
                if (authorityOffset >= 0)
                {
                    return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_AUTHORITY_DUPLICATE);
                }
                authorityOffset = fieldValueOffset;
                authorityLength = fieldValueLength;
                authorityHuffman = fieldValueHuffman;
            }
            else if (fieldKind == HOST && hostOffset < 0)
            {
                hostOffset = fieldValueOffset;
                hostLength = fieldValueLength;
                hostHuffman = fieldValueHuffman;
            }
            else if (fieldKind == HOST)
            {
                final PeekStatus agreed = laterHostAgrees();
                if (agreed != PeekStatus.NEED_MORE_DATA)
                {
                    return agreed;
                }
            }
            fieldKind = OTHER;
        }
        return onEndOfBlock();
    }

    private PeekStatus onEndOfBlock()
    {
        if (authorityOffset < 0 && hostOffset < 0)
        {
            return result.fail(PeekStatus.NO_NAME, PeekReason.H2C_NO_AUTHORITY);
        }
        final int authority = authorityOffset >= 0 ?
            plainValue(authorityOffset, authorityLength, authorityHuffman, authorityValue) : -1;
        final int host = hostPlainLength >= 0 ? hostPlainLength :
            hostOffset >= 0 ? plainValue(hostOffset, hostLength, hostHuffman, hostValue) : -1;
        if (authority < -1 || host < -1)
        {
            return PeekStatus.MALFORMED;
        }
        if (authority >= 0 && host >= 0 && !sameIgnoringCase(authorityValue, hostValue, authority, host))
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_HOST_MISMATCH);
        }
        return authority >= 0 ?
            HostName.normaliseAuthority(authorityValue, 0, authority, result) :
            HostName.normaliseAuthority(hostValue, 0, host, result);
    }

    /**
     * A second (third, ...) host field: the same value as the first, ignoring ASCII case, or
     * {@link PeekStatus#MALFORMED}. The first is decoded once, on the first comparison.
     */
    private PeekStatus laterHostAgrees()
    {
        if (hostPlainLength < 0)
        {
            hostPlainLength = plainValue(hostOffset, hostLength, hostHuffman, hostValue);
            if (hostPlainLength < 0)
            {
                return PeekStatus.MALFORMED;
            }
        }
        final int later = plainValue(fieldValueOffset, fieldValueLength, fieldValueHuffman, laterHostValue);
        if (later < 0)
        {
            return PeekStatus.MALFORMED;
        }
        if (!sameIgnoringCase(hostValue, laterHostValue, hostPlainLength, later))
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_HOST_MISMATCH);
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    /** Copies or Huffman-decodes a value into dst; @return its length, or -2 with the reason set. */
    private int plainValue(final int offset, final int length, final boolean huffman, final UnsafeBuffer dst)
    {
        if (!huffman)
        {
            if (length > MAX_VALUE_BYTES)
            {
                result.reason = PeekReason.HPACK_STRING_TOO_LONG;
                return -2;
            }
            dst.putBytes(0, block, offset, length);
            return length;
        }
        final int decoded = HuffmanCode.decode(block, offset, length, dst, 0, MAX_VALUE_BYTES);
        if (decoded < 0)
        {
            result.reason = decoded == HuffmanCode.OVERFLOW ? PeekReason.HPACK_STRING_TOO_LONG : PeekReason.HPACK_HUFFMAN;
            return -2;
        }
        return decoded;
    }

    private PeekStatus readIndexedField()
    {
        final int index = readInteger(7);
        if (index < 0)
        {
            return PeekStatus.MALFORMED;
        }
        if (!lookup(index))
        {
            return PeekStatus.MALFORMED;
        }
        if (index <= STATIC_TABLE_ENTRIES)
        {
            fieldValueOffset = cursor;
            fieldValueLength = 0;
            fieldValueHuffman = false;
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus readLiteralField(final int prefixBits, final boolean indexing)
    {
        final int nameIndex = readInteger(prefixBits);
        if (nameIndex < 0)
        {
            return PeekStatus.MALFORMED;
        }
        if (nameIndex == 0)
        {
            if (!readString() || !classifyLiteralName())
            {
                return PeekStatus.MALFORMED;
            }
        }
        else if (!lookup(nameIndex))
        {
            return PeekStatus.MALFORMED;
        }
        if (!readString())
        {
            return PeekStatus.MALFORMED;
        }
        fieldValueOffset = stringOffset;
        fieldValueLength = stringLength;
        fieldValueHuffman = stringHuffman;
        if (indexing)
        {
            final int valueBytes = stringHuffman ?
                HuffmanCode.decode(block, stringOffset, stringLength, null, 0, 0) : stringLength;
            if (valueBytes < 0)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.HPACK_HUFFMAN);
            }
            insert(fieldNameBytes + valueBytes + ENTRY_OVERHEAD_BYTES);
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus readSizeUpdate()
    {
        final int size = readInteger(5);
        if (size < 0)
        {
            return PeekStatus.MALFORMED;
        }
        if (size > MAX_TABLE_BYTES)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.HPACK_TABLE_SIZE);
        }
        maxTableBytes = size;
        evictDownTo(size);
        return PeekStatus.NEED_MORE_DATA;
    }

    /** Sets the field's kind and name length from a table index; false (reason set) when out of range. */
    private boolean lookup(final int index)
    {
        if (index == 0 || index > STATIC_TABLE_ENTRIES + entryCount)
        {
            result.reason = PeekReason.HPACK_INDEX;
            return false;
        }
        if (index <= STATIC_TABLE_ENTRIES)
        {
            fieldKind = index == STATIC_AUTHORITY ? AUTHORITY : index == STATIC_HOST ? HOST : OTHER;
            fieldNameBytes = STATIC_NAMES[index].length();
            return true;
        }
        final int slot = slotOf(index - STATIC_TABLE_ENTRIES - 1);
        fieldKind = entryKind[slot];
        fieldNameBytes = entryNameBytes[slot];
        fieldValueOffset = entryValueOffset[slot];
        fieldValueLength = entryValueLength[slot];
        fieldValueHuffman = entryValueHuffman[slot];
        return true;
    }

    private boolean classifyLiteralName()
    {
        int nameBytes = stringLength;
        if (stringHuffman)
        {
            nameBytes = HuffmanCode.decode(block, stringOffset, stringLength, null, 0, 0);
            if (nameBytes < 0)
            {
                result.reason = PeekReason.HPACK_HUFFMAN;
                return false;
            }
            if (nameBytes == AUTHORITY_NAME.length || nameBytes == HOST_NAME.length)
            {
                HuffmanCode.decode(block, stringOffset, stringLength, literalName, 0, nameBytes);
                fieldKind = kindOf(literalName, 0, nameBytes);
            }
            else
            {
                fieldKind = OTHER;
            }
        }
        else
        {
            fieldKind = kindOf(block, stringOffset, nameBytes);
        }
        fieldNameBytes = nameBytes;
        return true;
    }

    private static int kindOf(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == AUTHORITY_NAME.length && equalsBytes(buffer, offset, AUTHORITY_NAME))
        {
            return AUTHORITY;
        }
        if (length == HOST_NAME.length && equalsBytes(buffer, offset, HOST_NAME))
        {
            return HOST;
        }
        return OTHER;
    }

    /**
     * Inserts the current field: entries of other names keep only their size. An entry of its own is
     * larger than the table empties it (RFC 7541 s4.4).
     */
    private void insert(final int size)
    {
        evictDownTo(maxTableBytes - size);
        if (size > maxTableBytes)
        {
            return;
        }
        final int slot = entryHead;
        entryKind[slot] = fieldKind;
        entrySize[slot] = size;
        entryNameBytes[slot] = fieldNameBytes;
        entryValueOffset[slot] = fieldValueOffset;
        entryValueLength[slot] = fieldValueLength;
        entryValueHuffman[slot] = fieldValueHuffman;
        entryHead = (entryHead + 1) % MAX_ENTRIES;
        entryCount++;
        tableBytes += size;
    }

    private void evictDownTo(final int limitBytes)
    {
        while (entryCount > 0 && tableBytes > limitBytes)
        {
            final int oldest = slotOf(entryCount - 1);
            tableBytes -= entrySize[oldest];
            entryCount--;
        }
    }

    /** Slot of dynamic entry d, 0 being the newest. */
    private int slotOf(final int d)
    {
        return (entryHead - 1 - d + 2 * MAX_ENTRIES) % MAX_ENTRIES;
    }

    /** RFC 7541 s5.1; @return the value, or -1 with the reason set. */
    private int readInteger(final int prefixBits)
    {
        final int mask = (1 << prefixBits) - 1;
        int value = block.getByte(cursor++) & mask;
        if (value < mask)
        {
            return value;
        }
        int shift = 0;
        while (true)
        {
            if (cursor >= end)
            {
                result.reason = PeekReason.HPACK_TRUNCATED;
                return -1;
            }
            final int b = block.getByte(cursor++) & 0xff;
            value += (b & 0x7f) << shift;
            if (value > MAX_INTEGER || shift > 21)
            {
                result.reason = PeekReason.HPACK_INTEGER;
                return -1;
            }
            if ((b & 0x80) == 0)
            {
                return value;
            }
            shift += 7;
        }
    }

    /** RFC 7541 s5.2: sets stringOffset/Length/Huffman; false (reason set) when it overruns the block. */
    private boolean readString()
    {
        if (cursor >= end)
        {
            result.reason = PeekReason.HPACK_TRUNCATED;
            return false;
        }
        stringHuffman = (block.getByte(cursor) & 0x80) != 0;
        final int length = readInteger(7);
        if (length < 0)
        {
            return false;
        }
        if (end - cursor < length)
        {
            result.reason = PeekReason.HPACK_TRUNCATED;
            return false;
        }
        stringOffset = cursor;
        stringLength = length;
        cursor += length;
        return true;
    }

    private static boolean equalsBytes(final DirectBuffer buffer, final int offset, final byte[] expected)
    {
        for (int i = 0; i < expected.length; i++)
        {
            if (buffer.getByte(offset + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean sameIgnoringCase(final DirectBuffer a, final DirectBuffer b, final int aLength, final int bLength)
    {
        if (aLength != bLength)
        {
            return false;
        }
        for (int i = 0; i < aLength; i++)
        {
            int x = a.getByte(i);
            int y = b.getByte(i);
            x = x >= 'A' && x <= 'Z' ? x + 32 : x;
            y = y >= 'A' && y <= 'Z' ? y + 32 : y;
            if (x != y)
            {
                return false;
            }
        }
        return true;
    }
}
