package io.gatehouse.router.proxy;

import io.gatehouse.router.loop.Transport;

import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.CRC32C_VALUE_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.IPV4_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.IPV6_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_ALPN;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_AUTHORITY;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_CRC32C;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_NOOP;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_SSL;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_UNIQUE_ID;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.SSL_FIXED_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.TLV_HEADER_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.UNIQUE_ID_MAX_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V1_MAX_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V1_MAX_PORT;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V1_SIGNATURE;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_ADDR_INET6_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_ADDR_INET_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_ADDR_UNIX_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_AF_INET;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_AF_INET6;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_AF_UNIX;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_AF_UNSPEC;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_CMD_LOCAL;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_CMD_PROXY;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_FAM_OFFSET;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_HEADER_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_LEN_OFFSET;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_MAX_LEN;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_SIGNATURE;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_SIGNATURE_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_TRANSPORT_DGRAM;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_TRANSPORT_STREAM;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_VERSION;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_VER_CMD_OFFSET;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/**
 * Reads a PROXY protocol header, version 1 or 2, at the start of what a client (a load balancer in
 * front of gatehouse) sent. STRICT: every length is checked against the bytes that are there and
 * against the header's own declared length; version 2 TLVs must fill the header exactly (a TLV whose
 * length overruns, or leftover bytes too few for a TLV, are {@link ProxyHeaderStatus#MALFORMED}); a
 * CRC32C TLV is verified; single-occurrence TLVs sent twice are refused.
 *
 * <p><b>Contract.</b> One instance per event loop, reused for every connection. Not thread-safe.
 * {@link #parse} allocates nothing and never throws on any input; it re-reads from {@code offset} on
 * every call (headers are short, and a v2 header returns {@link ProxyHeaderStatus#NEED_MORE_DATA} from
 * its 16-byte prefix alone), so the caller hands ALL bytes received so far each time. After
 * {@link ProxyHeaderStatus#OK} the client's own bytes begin at {@code offset + headerLength()}. The
 * accessors describe the last call and stay valid until the next; TLV offsets point into the
 * caller's buffer.
 *
 * <p><b>What counts.</b> A v2 {@code LOCAL} header (a balancer's health check) and a v2 {@code PROXY}
 * header of family {@code UNSPEC}, like v1 {@code UNKNOWN}, are valid and carry no addresses: the
 * spec says to use the connection's real endpoints, and their address block is skipped unread. For a
 * v2 {@code PROXY} header of family INET, INET6 or UNIX the address block and every TLV are checked.
 *
 * <p><b>Bounds.</b> A v1 header is at most 107 bytes with its CRLF. A v2 header is at most
 * {@code maxV2Bytes} (16 + len); one declaring more is {@link ProxyHeaderStatus#TOO_LARGE} as soon as
 * its 16-byte prefix is in. At most {@link #MAX_TLVS} TLVs are kept (NOOP padding is checked, not kept).
 */
public final class ProxyHeaderParser
{
    public static final int DEFAULT_MAX_V2_BYTES = 4096;
    public static final int MAX_V2_BYTES_CAP = V2_HEADER_BYTES + V2_MAX_LEN;
    public static final int MAX_TLVS = 32;

    /** The header's command. */
    public enum Command
    {
        /** The connection was made by the balancer itself (a health check): use the real endpoints. */
        LOCAL,
        /** The connection is relayed on behalf of the client the addresses describe. */
        PROXY
    }

    /** The address family of the header's addresses. */
    public enum Family
    {
        /** No addresses: v1 UNKNOWN, v2 LOCAL, or v2 PROXY with family UNSPEC. Use the real endpoints. */
        UNSPEC,
        INET,
        INET6,
        /** v2 only: two 108-byte paths, at {@link #addressBlockOffset()}. */
        UNIX
    }

    /** The transport a v2 header declares; v1 TCP4/TCP6 is STREAM. */
    public enum Transport
    {
        UNSPEC,
        STREAM,
        DGRAM
    }

    private final int maxV2Bytes;
    private final byte[] sourceAddress = new byte[IPV6_BYTES];
    private final byte[] destinationAddress = new byte[IPV6_BYTES];
    private final int[] ipv6Words = new int[8];
    private final int[] tlvTypes = new int[MAX_TLVS];
    private final int[] tlvValueOffsets = new int[MAX_TLVS];
    private final int[] tlvValueLengths = new int[MAX_TLVS];
    private final byte[] crcScratch;
    private final CRC32C crc32c = new CRC32C();

    private ProxyHeaderStatus status;
    private String reason;
    private int version;
    private int headerLength;
    private Command command;
    private Family family;
    private Transport transport;
    private int addressLength;
    private int sourcePort;
    private int destinationPort;
    private int addressBlockOffset;
    private int addressBlockLength;
    private int tlvCount;
    private int authorityIndex;
    private int alpnIndex;
    private int crcValueOffset;
    private int uniqueIdIndex;
    private int sslIndex;

    /** @param maxV2Bytes the longest v2 header accepted (16 + len), 16..{@link #MAX_V2_BYTES_CAP}. */
    public ProxyHeaderParser(final int maxV2Bytes)
    {
        if (maxV2Bytes < V2_HEADER_BYTES || maxV2Bytes > MAX_V2_BYTES_CAP)
        {
            throw new IllegalArgumentException("maxV2Bytes must be " + V2_HEADER_BYTES + ".." + MAX_V2_BYTES_CAP + ": " + maxV2Bytes);
        }
        this.maxV2Bytes = maxV2Bytes;
        this.crcScratch = new byte[maxV2Bytes];
        clear();
    }

    /** A parser accepting v2 headers up to {@link #DEFAULT_MAX_V2_BYTES}. */
    public ProxyHeaderParser()
    {
        this(DEFAULT_MAX_V2_BYTES);
    }

    /**
     * Parses the header at the start of {@code buffer[offset, offset + length)}.
     *
     * @param buffer every byte the client sent so far, from its first.
     * @return the status; the accessors describe the header when it is {@link ProxyHeaderStatus#OK}.
     */
    public ProxyHeaderStatus parse(final DirectBuffer buffer, final int offset, final int length)
    {
        clear();
        if (buffer == null || offset < 0 || length < 0 || buffer.capacity() - offset < length)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.INVALID_ARGUMENTS);
        }
        if (length == 0)
        {
            return status = ProxyHeaderStatus.NEED_MORE_DATA;
        }
        final byte first = buffer.getByte(offset);
        if (first == V1_SIGNATURE[0])
        {
            if (!startsWith(buffer, offset, length, V1_SIGNATURE))
            {
                return status = ProxyHeaderStatus.NOT_PROXY;
            }
            return length < V1_SIGNATURE.length ? (status = ProxyHeaderStatus.NEED_MORE_DATA) : parseV1(buffer, offset, length);
        }
        if (first == V2_SIGNATURE[0])
        {
            if (!startsWith(buffer, offset, length, V2_SIGNATURE))
            {
                return status = ProxyHeaderStatus.NOT_PROXY;
            }
            return length < V2_HEADER_BYTES ? (status = ProxyHeaderStatus.NEED_MORE_DATA) : parseV2(buffer, offset, length);
        }
        return status = ProxyHeaderStatus.NOT_PROXY;
    }

    /**
     * Screens the first bytes of a connection for a PROXY signature, whatever the source: {@link
     * ProxyHeaderStatus#OK} when they start with a whole v1 ({@code "PROXY "}) or v2 (12-byte) signature,
     * {@link ProxyHeaderStatus#NEED_MORE_DATA} when all of them so far are a proper prefix of one (wait:
     * the next segment decides), else {@link ProxyHeaderStatus#NOT_PROXY}. Allocation-free; any thread.
     */
    public static ProxyHeaderStatus signature(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length <= 0)
        {
            return ProxyHeaderStatus.NEED_MORE_DATA;
        }
        final ProxyHeaderStatus v1 = screen(buffer, offset, length, V1_SIGNATURE);
        return v1 != ProxyHeaderStatus.NOT_PROXY ? v1 : screen(buffer, offset, length, V2_SIGNATURE);
    }

    private static ProxyHeaderStatus screen(final DirectBuffer buffer, final int offset, final int length, final byte[] signature)
    {
        if (!startsWith(buffer, offset, length, signature))
        {
            return ProxyHeaderStatus.NOT_PROXY;
        }
        return length >= signature.length ? ProxyHeaderStatus.OK : ProxyHeaderStatus.NEED_MORE_DATA;
    }

    private static boolean startsWith(final DirectBuffer buffer, final int offset, final int length, final byte[] signature)
    {
        final int compared = Math.min(length, signature.length);
        for (int i = 0; i < compared; i++)
        {
            if (buffer.getByte(offset + i) != signature[i])
            {
                return false;
            }
        }
        return true;
    }

    // ---- version 1 ------------------------------------------------------------------------------

    private ProxyHeaderStatus parseV1(final DirectBuffer buffer, final int offset, final int length)
    {
        version = 1;
        final int searchLimit = offset + Math.min(length, V1_MAX_BYTES);
        int cr = -1;
        for (int i = offset + V1_SIGNATURE.length; i < searchLimit; i++)
        {
            final byte b = buffer.getByte(i);
            if (b == '\r')
            {
                cr = i;
                break;
            }
            if (b == '\n')
            {
                return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_BARE_LF);
            }
        }
        if (cr < 0)
        {
            return length >= V1_MAX_BYTES ? fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_NO_CRLF) : (status = ProxyHeaderStatus.NEED_MORE_DATA);
        }
        if (searchLimit - (cr + 1) < 1)
        {
            return cr + 1 - offset >= V1_MAX_BYTES ?
                fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_NO_CRLF) : (status = ProxyHeaderStatus.NEED_MORE_DATA);
        }
        if (buffer.getByte(cr + 1) != '\n')
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_BARE_CR);
        }
        final int lineEnd = cr;
        final int protocolStart = offset + V1_SIGNATURE.length;
        final int protocolEnd = indexOfSpace(buffer, protocolStart, lineEnd);
        if (matches(buffer, protocolStart, protocolEnd, "UNKNOWN"))
        {
            return v1Ok(offset, cr, Command.PROXY, Family.UNSPEC, Transport.UNSPEC);
        }
        final boolean tcp4 = matches(buffer, protocolStart, protocolEnd, "TCP4");
        if (!tcp4 && !matches(buffer, protocolStart, protocolEnd, "TCP6"))
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_PROTOCOL);
        }
        if (protocolEnd == lineEnd)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_FIELDS);
        }
        final int sourceStart = protocolEnd + 1;
        final int sourceEnd = indexOfSpace(buffer, sourceStart, lineEnd);
        final int destinationStart = sourceEnd + 1;
        final int destinationEnd = sourceEnd == lineEnd ? lineEnd : indexOfSpace(buffer, destinationStart, lineEnd);
        final int sourcePortStart = destinationEnd + 1;
        final int sourcePortEnd = destinationEnd == lineEnd ? lineEnd : indexOfSpace(buffer, sourcePortStart, lineEnd);
        final int destinationPortStart = sourcePortEnd + 1;
        if (sourcePortEnd == lineEnd || indexOfSpace(buffer, destinationPortStart, lineEnd) != lineEnd)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_FIELDS);
        }
        final boolean sourceValid = tcp4 ?
            parseIpv4(buffer, sourceStart, sourceEnd, sourceAddress, 0) : parseIpv6(buffer, sourceStart, sourceEnd, sourceAddress);
        if (!sourceValid)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_SOURCE_ADDRESS);
        }
        final boolean destinationValid = tcp4 ?
            parseIpv4(buffer, destinationStart, destinationEnd, destinationAddress, 0) :
            parseIpv6(buffer, destinationStart, destinationEnd, destinationAddress);
        if (!destinationValid)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_DESTINATION_ADDRESS);
        }
        final int parsedSourcePort = parsePort(buffer, sourcePortStart, sourcePortEnd);
        if (parsedSourcePort < 0)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_SOURCE_PORT);
        }
        final int parsedDestinationPort = parsePort(buffer, destinationPortStart, lineEnd);
        if (parsedDestinationPort < 0)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V1_DESTINATION_PORT);
        }
        addressLength = tcp4 ? IPV4_BYTES : IPV6_BYTES;
        sourcePort = parsedSourcePort;
        destinationPort = parsedDestinationPort;
        return v1Ok(offset, cr, Command.PROXY, tcp4 ? Family.INET : Family.INET6, Transport.STREAM);
    }

    private ProxyHeaderStatus v1Ok(final int offset, final int cr, final Command command, final Family family, final Transport transport)
    {
        this.headerLength = cr + 2 - offset;
        this.command = command;
        this.family = family;
        this.transport = transport;
        return status = ProxyHeaderStatus.OK;
    }

    private static int indexOfSpace(final DirectBuffer buffer, final int from, final int limit)
    {
        for (int i = from; i < limit; i++)
        {
            if (buffer.getByte(i) == ' ')
            {
                return i;
            }
        }
        return limit;
    }

    private static boolean matches(final DirectBuffer buffer, final int start, final int end, final String token)
    {
        if (end - start != token.length())
        {
            return false;
        }
        for (int i = 0; i < token.length(); i++)
        {
            if (buffer.getByte(start + i) != token.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** 0..65535 in decimal, 1 to 5 digits, no leading zero but "0" itself; -1 otherwise. */
    private static int parsePort(final DirectBuffer buffer, final int start, final int end)
    {
        final int digits = end - start;
        if (digits < 1 || digits > 5 || (digits > 1 && buffer.getByte(start) == '0'))
        {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value <= V1_MAX_PORT ? value : -1;
    }

    /** A dotted quad, each part 0..255 without leading zeros, into {@code out[at, at + 4)}. */
    private static boolean parseIpv4(final DirectBuffer buffer, final int start, final int end, final byte[] out, final int at)
    {
        int part = 0;
        int i = start;
        while (part < IPV4_BYTES)
        {
            final int digitsStart = i;
            int value = 0;
            while (i < end && i - digitsStart < 4)
            {
                final int digit = buffer.getByte(i) - '0';
                if (digit < 0 || digit > 9)
                {
                    break;
                }
                value = value * 10 + digit;
                i++;
            }
            final int digits = i - digitsStart;
            if (digits < 1 || digits > 3 || value > 255 || (digits > 1 && buffer.getByte(digitsStart) == '0'))
            {
                return false;
            }
            out[at + part] = (byte)value;
            part++;
            if (part < IPV4_BYTES)
            {
                if (i >= end || buffer.getByte(i) != '.')
                {
                    return false;
                }
                i++;
            }
        }
        return i == end;
    }

    /** RFC 4291 s2.2 text (hex groups, one optional "::", an optional dotted-quad tail) into {@code out[0, 16)}. */
    private boolean parseIpv6(final DirectBuffer buffer, final int start, final int end, final byte[] out)
    {
        final int[] words = ipv6Words;
        int count = 0;
        int gapAt = -1;
        int i = start;
        if (end - i >= 2 && buffer.getByte(i) == ':')
        {
            if (buffer.getByte(i + 1) != ':')
            {
                return false;
            }
            gapAt = 0;
            i += 2;
        }
        while (i < end)
        {
            int j = i;
            int value = 0;
            while (j < end && j - i <= 4)
            {
                final int hex = hexValue(buffer.getByte(j));
                if (hex < 0)
                {
                    break;
                }
                value = (value << 4) | hex;
                j++;
            }
            if (j < end && buffer.getByte(j) == '.')
            {
                if (count > 6 || !parseIpv4(buffer, i, end, out, 0))
                {
                    return false;
                }
                words[count++] = ((out[0] & 0xFF) << 8) | (out[1] & 0xFF);
                words[count++] = ((out[2] & 0xFF) << 8) | (out[3] & 0xFF);
                i = end;
                break;
            }
            final int digits = j - i;
            if (digits < 1 || digits > 4 || count == 8)
            {
                return false;
            }
            words[count++] = value;
            if (j == end)
            {
                i = end;
                break;
            }
            if (buffer.getByte(j) != ':')
            {
                return false;
            }
            j++;
            if (j < end && buffer.getByte(j) == ':')
            {
                if (gapAt >= 0)
                {
                    return false;
                }
                gapAt = count;
                j++;
            }
            else if (j == end)
            {
                return false;
            }
            i = j;
        }
        if (start == end || (gapAt < 0 ? count != 8 : count > 7))
        {
            return false;
        }
        final int gap = 8 - count;
        for (int w = 0, source = 0; w < 8; w++)
        {
            final int word;
            if (gapAt >= 0 && w >= gapAt && w < gapAt + gap)
            {
                word = 0;
            }
            else
            {
                word = words[source++];
            }
            out[2 * w] = (byte)(word >>> 8);
            out[2 * w + 1] = (byte)word;
        }
        return true;
    }

    private static int hexValue(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f')
        {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F')
        {
            return b - 'A' + 10;
        }
        return -1;
    }

    // ---- version 2 ------------------------------------------------------------------------------

    private ProxyHeaderStatus parseV2(final DirectBuffer buffer, final int offset, final int length)
    {
        version = 2;
        final int verCmd = buffer.getByte(offset + V2_VER_CMD_OFFSET) & 0xFF;
        if (verCmd >>> 4 != V2_VERSION)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V2_VERSION);
        }
        final int cmd = verCmd & 0x0F;
        if (cmd != V2_CMD_LOCAL && cmd != V2_CMD_PROXY)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V2_COMMAND);
        }
        final int len = buffer.getShort(offset + V2_LEN_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int total = V2_HEADER_BYTES + len;
        if (total > maxV2Bytes)
        {
            return fail(ProxyHeaderStatus.TOO_LARGE, ProxyHeaderReason.V2_TOO_LARGE);
        }
        if (length < total)
        {
            return status = ProxyHeaderStatus.NEED_MORE_DATA;
        }
        final int fam = buffer.getByte(offset + V2_FAM_OFFSET) & 0xFF;
        final int af = fam >>> 4;
        final int tp = fam & 0x0F;
        if (cmd == V2_CMD_LOCAL || fam == 0)
        {
            // LOCAL: "discard the protocol block including the family"; PROXY/UNSPEC: use the real endpoints.
            return v2Ok(total, cmd == V2_CMD_LOCAL ? Command.LOCAL : Command.PROXY, Family.UNSPEC, Transport.UNSPEC);
        }
        if (af < V2_AF_INET || af > V2_AF_UNIX || (tp != V2_TRANSPORT_STREAM && tp != V2_TRANSPORT_DGRAM))
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V2_FAMILY);
        }
        final int blockBytes = af == V2_AF_INET ? V2_ADDR_INET_BYTES : af == V2_AF_INET6 ? V2_ADDR_INET6_BYTES : V2_ADDR_UNIX_BYTES;
        if (len < blockBytes)
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V2_ADDRESS_LENGTH);
        }
        final int block = offset + V2_HEADER_BYTES;
        addressBlockOffset = block;
        addressBlockLength = blockBytes;
        if (af != V2_AF_UNIX)
        {
            addressLength = af == V2_AF_INET ? IPV4_BYTES : IPV6_BYTES;
            buffer.getBytes(block, sourceAddress, 0, addressLength);
            buffer.getBytes(block + addressLength, destinationAddress, 0, addressLength);
            sourcePort = buffer.getShort(block + 2 * addressLength, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            destinationPort = buffer.getShort(block + 2 * addressLength + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        final String tlvProblem = parseTlvs(buffer, block + blockBytes, offset + total);
        if (tlvProblem != null)
        {
            return fail(ProxyHeaderStatus.MALFORMED, tlvProblem);
        }
        if (crcValueOffset >= 0 && !crcMatches(buffer, offset, total))
        {
            return fail(ProxyHeaderStatus.MALFORMED, ProxyHeaderReason.V2_CRC32C_MISMATCH);
        }
        final Family parsedFamily = af == V2_AF_INET ? Family.INET : af == V2_AF_INET6 ? Family.INET6 : Family.UNIX;
        return v2Ok(total, Command.PROXY, parsedFamily, tp == V2_TRANSPORT_STREAM ? Transport.STREAM : Transport.DGRAM);
    }

    private ProxyHeaderStatus v2Ok(final int total, final Command command, final Family family, final Transport transport)
    {
        this.headerLength = total;
        this.command = command;
        this.family = family;
        this.transport = transport;
        if (family == Family.UNSPEC)
        {
            addressLength = 0;
            tlvCount = 0;
            authorityIndex = -1;
            alpnIndex = -1;
        }
        return status = ProxyHeaderStatus.OK;
    }

    /** Walks the TLVs in [from, end), which they must fill exactly; returns a reason, or null when valid. */
    private String parseTlvs(final DirectBuffer buffer, final int from, final int end)
    {
        int at = from;
        while (at < end)
        {
            if (end - at < TLV_HEADER_BYTES)
            {
                return ProxyHeaderReason.V2_TLV_TRUNCATED;
            }
            final int type = buffer.getByte(at) & 0xFF;
            final int valueLength = buffer.getShort(at + 1, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            final int value = at + TLV_HEADER_BYTES;
            if (end - value < valueLength)
            {
                return ProxyHeaderReason.V2_TLV_LENGTH;
            }
            at = value + valueLength;
            if (type == PP2_TYPE_NOOP)
            {
                continue;
            }
            if (tlvCount == MAX_TLVS)
            {
                return ProxyHeaderReason.V2_TLV_TOO_MANY;
            }
            switch (type)
            {
                case PP2_TYPE_AUTHORITY:
                    if (authorityIndex >= 0)
                    {
                        return ProxyHeaderReason.V2_TLV_DUPLICATE;
                    }
                    authorityIndex = tlvCount;
                    break;
                case PP2_TYPE_ALPN:
                    if (alpnIndex >= 0)
                    {
                        return ProxyHeaderReason.V2_TLV_DUPLICATE;
                    }
                    alpnIndex = tlvCount;
                    break;
                case PP2_TYPE_CRC32C:
                    if (crcValueOffset >= 0)
                    {
                        return ProxyHeaderReason.V2_TLV_DUPLICATE;
                    }
                    if (valueLength != CRC32C_VALUE_BYTES)
                    {
                        return ProxyHeaderReason.V2_CRC32C_LENGTH;
                    }
                    crcValueOffset = value;
                    break;
                case PP2_TYPE_UNIQUE_ID:
                    if (uniqueIdIndex >= 0)
                    {
                        return ProxyHeaderReason.V2_TLV_DUPLICATE;
                    }
                    if (valueLength > UNIQUE_ID_MAX_BYTES)
                    {
                        return ProxyHeaderReason.V2_UNIQUE_ID_LENGTH;
                    }
                    uniqueIdIndex = tlvCount;
                    break;
                case PP2_TYPE_SSL:
                    if (sslIndex >= 0)
                    {
                        return ProxyHeaderReason.V2_TLV_DUPLICATE;
                    }
                    final String sslProblem = checkSslSubTlvs(buffer, value, valueLength);
                    if (sslProblem != null)
                    {
                        return sslProblem;
                    }
                    sslIndex = tlvCount;
                    break;
                default:
                    break;
            }
            tlvTypes[tlvCount] = type;
            tlvValueOffsets[tlvCount] = value;
            tlvValueLengths[tlvCount] = valueLength;
            tlvCount++;
        }
        return null;
    }

    private static String checkSslSubTlvs(final DirectBuffer buffer, final int value, final int valueLength)
    {
        if (valueLength < SSL_FIXED_BYTES)
        {
            return ProxyHeaderReason.V2_SSL_LENGTH;
        }
        final int end = value + valueLength;
        int at = value + SSL_FIXED_BYTES;
        while (at < end)
        {
            if (end - at < TLV_HEADER_BYTES)
            {
                return ProxyHeaderReason.V2_SSL_SUB_TLV_TRUNCATED;
            }
            final int subLength = buffer.getShort(at + 1, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            if (end - (at + TLV_HEADER_BYTES) < subLength)
            {
                return ProxyHeaderReason.V2_SSL_SUB_TLV_LENGTH;
            }
            at += TLV_HEADER_BYTES + subLength;
        }
        return null;
    }

    /** CRC32C over the whole header with the checksum's own four bytes taken as zero (spec 2.2.5). */
    private boolean crcMatches(final DirectBuffer buffer, final int offset, final int total)
    {
        buffer.getBytes(offset, crcScratch, 0, total);
        final int crcAt = crcValueOffset - offset;
        for (int i = 0; i < CRC32C_VALUE_BYTES; i++)
        {
            crcScratch[crcAt + i] = 0;
        }
        crc32c.reset();
        crc32c.update(crcScratch, 0, total);
        final long sent = buffer.getInt(crcValueOffset, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        return crc32c.getValue() == sent;
    }

    // ---- results --------------------------------------------------------------------------------

    private void clear()
    {
        status = null;
        reason = null;
        version = 0;
        headerLength = 0;
        command = null;
        family = null;
        transport = null;
        addressLength = 0;
        sourcePort = 0;
        destinationPort = 0;
        addressBlockOffset = -1;
        addressBlockLength = 0;
        tlvCount = 0;
        authorityIndex = -1;
        alpnIndex = -1;
        crcValueOffset = -1;
        uniqueIdIndex = -1;
        sslIndex = -1;
    }

    private ProxyHeaderStatus fail(final ProxyHeaderStatus failure, final String why)
    {
        final int parsedVersion = version;
        clear();
        version = parsedVersion;
        reason = why;
        return status = failure;
    }

    /** The status of the last {@link #parse}. */
    public ProxyHeaderStatus status()
    {
        return status;
    }

    /** Why the last parse was MALFORMED or TOO_LARGE (a {@link ProxyHeaderReason} constant), else {@code null}. */
    public String reason()
    {
        return reason;
    }

    /** 1 or 2 once the signature was recognised, else 0. */
    public int version()
    {
        return version;
    }

    /** Bytes the header takes, CRLF or TLVs included: the client's data starts there. 0 unless OK. */
    public int headerLength()
    {
        return headerLength;
    }

    public Command command()
    {
        return command;
    }

    public Family family()
    {
        return family;
    }

    public Transport transport()
    {
        return transport;
    }

    /** 4 for INET, 16 for INET6, else 0 (no addresses: use the connection's own endpoints). */
    public int addressLength()
    {
        return addressLength;
    }

    /** Copies the source address ({@link #addressLength()} bytes) into {@code dst[at, ...)}; returns the count. */
    public int copySourceAddress(final byte[] dst, final int at)
    {
        System.arraycopy(sourceAddress, 0, dst, at, addressLength);
        return addressLength;
    }

    /** Copies the destination address ({@link #addressLength()} bytes) into {@code dst[at, ...)}; returns the count. */
    public int copyDestinationAddress(final byte[] dst, final int at)
    {
        System.arraycopy(destinationAddress, 0, dst, at, addressLength);
        return addressLength;
    }

    public int sourcePort()
    {
        return sourcePort;
    }

    public int destinationPort()
    {
        return destinationPort;
    }

    /** The source address as an object, or {@code null} without one. Allocates: logs and control code. */
    public InetAddress sourceInetAddress()
    {
        return inetAddress(sourceAddress);
    }

    /** The destination address as an object, or {@code null} without one. Allocates: logs and control code. */
    public InetAddress destinationInetAddress()
    {
        return inetAddress(destinationAddress);
    }

    private InetAddress inetAddress(final byte[] address)
    {
        if (addressLength == 0)
        {
            return null;
        }
        try
        {
            return InetAddress.getByAddress(Arrays.copyOf(address, addressLength));
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Where the raw v2 address block starts in the caller's buffer (UNIX paths live here), or -1. */
    public int addressBlockOffset()
    {
        return addressBlockOffset;
    }

    /** The raw v2 address block's length: 12, 36 or 216; 0 without one. For UNIX, two {@value ProxyProtocolDescriptor#V2_UNIX_PATH_BYTES}-byte paths. */
    public int addressBlockLength()
    {
        return addressBlockLength;
    }

    /** TLVs kept from the last v2 header, in header order (NOOP padding left out). */
    public int tlvCount()
    {
        return tlvCount;
    }

    /** The type of TLV {@code index}. */
    public int tlvType(final int index)
    {
        return tlvTypes[index];
    }

    /** Where TLV {@code index}'s value starts in the caller's buffer. */
    public int tlvValueOffset(final int index)
    {
        return tlvValueOffsets[index];
    }

    /** TLV {@code index}'s value length. */
    public int tlvValueLength(final int index)
    {
        return tlvValueLengths[index];
    }

    /** The index of the first TLV of {@code type}, or -1. */
    public int findTlv(final int type)
    {
        for (int i = 0; i < tlvCount; i++)
        {
            if (tlvTypes[i] == type)
            {
                return i;
            }
        }
        return -1;
    }

    /** The index of the PP2_TYPE_AUTHORITY TLV (the client's SNI, UTF-8), or -1. */
    public int authorityIndex()
    {
        return authorityIndex;
    }

    /** The index of the PP2_TYPE_ALPN TLV, or -1. */
    public int alpnIndex()
    {
        return alpnIndex;
    }

    /** True when a CRC32C TLV was present (and, the status being OK, matched). */
    public boolean crcChecked()
    {
        return crcValueOffset >= 0;
    }
}
