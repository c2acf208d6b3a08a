package io.gatehouse.router.proxy;

import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.IPV4_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.IPV6_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_ALPN;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.PP2_TYPE_AUTHORITY;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.TLV_HEADER_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V1_MAX_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V1_MAX_PORT;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_ADDR_INET6_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_ADDR_INET_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_AF_INET;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_AF_INET6;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_CMD_LOCAL;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_CMD_PROXY;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_FAM_OFFSET;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_HEADER_BYTES;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_LEN_OFFSET;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_MAX_LEN;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_SIGNATURE;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_TRANSPORT_STREAM;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_VERSION;
import static io.gatehouse.router.proxy.ProxyProtocolDescriptor.V2_VER_CMD_OFFSET;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a PROXY protocol header for a TCP connection into the caller's buffer: version 1 (text) or
 * version 2 (binary, with optional PP2_TYPE_AUTHORITY and PP2_TYPE_ALPN TLVs).
 *
 * <p><b>Use.</b> {@code encoder.reset().source(...).destination(...).authority(...).alpn(...)} then
 * {@link #encodeV1} or {@link #encodeV2}. {@link #local()} instead of addresses writes v1
 * {@code PROXY UNKNOWN} / v2 {@code LOCAL}, what a sender uses when it has no addresses to tell.
 *
 * <p><b>Families.</b> Two IPv4 addresses make TCP4 / INET; two IPv6 addresses TCP6 / INET6. When one
 * is IPv4 and the other IPv6, the IPv4 one is written as its IPv4-mapped IPv6 form
 * ({@code ::ffff:a.b.c.d}) and the header is TCP6 / INET6, as HAProxy does. v1 writes IPv6 as
 * RFC 5952 text (lower case, the longest zero run as {@code ::}, mapped addresses as
 * {@code ::ffff:a.b.c.d}).
 *
 * <p><b>Contract.</b> One instance per event loop. Not thread-safe. The byte[]-address setters and the
 * encode calls allocate nothing; the {@link InetSocketAddress} setters copy the address (4 or 16
 * bytes). The authority and ALPN are read from the caller's buffers at encode time. Encode calls
 * never throw: they return the bytes written, {@link #NO_ROOM} when {@code capacity} is too small
 * (nothing written), or {@link #INVALID} when the inputs cannot make a header (a missing address, a
 * port outside 0..65535, TLVs past v2's 65535-byte limit).
 */
public final class ProxyHeaderEncoder
{
    public static final int NO_ROOM = -1;
    public static final int INVALID = -2;

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private final byte[] sourceAddress = new byte[IPV6_BYTES];
    private final byte[] destinationAddress = new byte[IPV6_BYTES];
    private final byte[] mappedSource = new byte[IPV6_BYTES];
    private final byte[] mappedDestination = new byte[IPV6_BYTES];
    private final UnsafeBuffer v1Scratch = new UnsafeBuffer(new byte[V1_MAX_BYTES]);
    private int sourceLength;
    private int destinationLength;
    private int sourcePort;
    private int destinationPort;
    private boolean local;
    private boolean invalid;
    private DirectBuffer authority;
    private int authorityOffset;
    private int authorityLength;
    private DirectBuffer alpn;
    private int alpnOffset;
    private int alpnLength;

    public ProxyHeaderEncoder()
    {
        reset();
    }

    /** Forgets every input. */
    public ProxyHeaderEncoder reset()
    {
        sourceLength = 0;
        destinationLength = 0;
        sourcePort = 0;
        destinationPort = 0;
        local = false;
        invalid = false;
        authority = null;
        authorityLength = 0;
        alpn = null;
        alpnLength = 0;
        return this;
    }

    /** The client's address (4 or 16 bytes, copied) and port. */
    public ProxyHeaderEncoder source(final byte[] address, final int port)
    {
        sourceLength = copyAddress(address, sourceAddress);
        sourcePort = checkPort(port);
        return this;
    }

    /** The address the client connected to (4 or 16 bytes, copied) and port. */
    public ProxyHeaderEncoder destination(final byte[] address, final int port)
    {
        destinationLength = copyAddress(address, destinationAddress);
        destinationPort = checkPort(port);
        return this;
    }

    /** The client's address and port, e.g. the inbound channel's remote address. */
    public ProxyHeaderEncoder source(final InetSocketAddress address)
    {
        final InetAddress ip = address == null ? null : address.getAddress();
        return ip == null ? markInvalid() : source(ip.getAddress(), address.getPort());
    }

    /** The address and port the client connected to, e.g. the inbound channel's local address. */
    public ProxyHeaderEncoder destination(final InetSocketAddress address)
    {
        final InetAddress ip = address == null ? null : address.getAddress();
        return ip == null ? markInvalid() : destination(ip.getAddress(), address.getPort());
    }

    /** No addresses to tell: v1 {@code PROXY UNKNOWN}, v2 {@code LOCAL} with family UNSPEC. */
    public ProxyHeaderEncoder local()
    {
        local = true;
        return this;
    }

    /** A v2 PP2_TYPE_AUTHORITY TLV: the host name the client asked for (its SNI), UTF-8. Length 0 omits it. */
    public ProxyHeaderEncoder authority(final DirectBuffer buffer, final int offset, final int length)
    {
        authority = buffer;
        authorityOffset = offset;
        authorityLength = length;
        return this;
    }

    /** A v2 PP2_TYPE_ALPN TLV: the application protocol, e.g. {@code h2}. Length 0 omits it. */
    public ProxyHeaderEncoder alpn(final DirectBuffer buffer, final int offset, final int length)
    {
        alpn = buffer;
        alpnOffset = offset;
        alpnLength = length;
        return this;
    }

    private ProxyHeaderEncoder markInvalid()
    {
        invalid = true;
        return this;
    }

    private int copyAddress(final byte[] address, final byte[] into)
    {
        if (address == null || (address.length != IPV4_BYTES && address.length != IPV6_BYTES))
        {
            invalid = true;
            return 0;
        }
        System.arraycopy(address, 0, into, 0, address.length);
        return address.length;
    }

    private int checkPort(final int port)
    {
        if (port < 0 || port > V1_MAX_PORT)
        {
            invalid = true;
        }
        return port;
    }

    private boolean addressesMissing()
    {
        return invalid || (!local && (sourceLength == 0 || destinationLength == 0));
    }

    private boolean bothIpv4()
    {
        return sourceLength == IPV4_BYTES && destinationLength == IPV4_BYTES;
    }

    /** The address in 16 bytes: itself, or its IPv4-mapped form. */
    private static byte[] asIpv6(final byte[] address, final int length, final byte[] mapped)
    {
        if (length == IPV6_BYTES)
        {
            return address;
        }
        for (int i = 0; i < 10; i++)
        {
            mapped[i] = 0;
        }
        mapped[10] = (byte)0xFF;
        mapped[11] = (byte)0xFF;
        System.arraycopy(address, 0, mapped, 12, IPV4_BYTES);
        return mapped;
    }

    // ---- version 1 ------------------------------------------------------------------------------

    /**
     * Writes a v1 line into {@code out[offset, offset + capacity)}. TLVs are not part of v1 and are left out.
     *
     * @return bytes written (at most 107), {@link #NO_ROOM} or {@link #INVALID}.
     */
    public int encodeV1(final MutableDirectBuffer out, final int offset, final int capacity)
    {
        if (addressesMissing())
        {
            return INVALID;
        }
        final UnsafeBuffer line = v1Scratch;
        int at = putAscii(line, 0, "PROXY ");
        if (local)
        {
            at = putAscii(line, at, "UNKNOWN");
        }
        else if (bothIpv4())
        {
            at = putAscii(line, at, "TCP4 ");
            at = putIpv4(line, at, sourceAddress, 0);
            line.putByte(at++, (byte)' ');
            at = putIpv4(line, at, destinationAddress, 0);
            at = putPorts(line, at);
        }
        else
        {
            at = putAscii(line, at, "TCP6 ");
            at = putIpv6(line, at, asIpv6(sourceAddress, sourceLength, mappedSource));
            line.putByte(at++, (byte)' ');
            at = putIpv6(line, at, asIpv6(destinationAddress, destinationLength, mappedDestination));
            at = putPorts(line, at);
        }
        line.putByte(at++, (byte)'\r');
        line.putByte(at++, (byte)'\n');
        if (out == null || offset < 0 || capacity < at || out.capacity() - offset < at)
        {
            return NO_ROOM;
        }
        out.putBytes(offset, line, 0, at);
        return at;
    }

    private int putPorts(final UnsafeBuffer line, final int from)
    {
        int at = from;
        line.putByte(at++, (byte)' ');
        at = putDecimal(line, at, sourcePort);
        line.putByte(at++, (byte)' ');
        return putDecimal(line, at, destinationPort);
    }

    private static int putAscii(final MutableDirectBuffer out, final int from, final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            out.putByte(from + i, (byte)text.charAt(i));
        }
        return from + text.length();
    }

    private static int putDecimal(final MutableDirectBuffer out, final int from, final int value)
    {
        int divisor = 1;
        while (value / divisor >= 10)
        {
            divisor *= 10;
        }
        int at = from;
        for (; divisor > 0; divisor /= 10)
        {
            out.putByte(at++, (byte)('0' + (value / divisor) % 10));
        }
        return at;
    }

    private static int putIpv4(final MutableDirectBuffer out, final int from, final byte[] address, final int index)
    {
        int at = from;
        for (int i = 0; i < IPV4_BYTES; i++)
        {
            if (i > 0)
            {
                out.putByte(at++, (byte)'.');
            }
            at = putDecimal(out, at, address[index + i] & 0xFF);
        }
        return at;
    }

    /** RFC 5952: lower-case hex without leading zeros, the first longest run of two or more zero groups as "::". */
    static int putIpv6(final MutableDirectBuffer out, final int from, final byte[] address)
    {
        int at = from;
        if (isIpv4Mapped(address))
        {
            at = putAscii(out, at, "::ffff:");
            return putIpv4(out, at, address, 12);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int w = 0; w < 8; )
        {
            if (word(address, w) != 0)
            {
                w++;
                continue;
            }
            int end = w;
            while (end < 8 && word(address, end) == 0)
            {
                end++;
            }
            if (end - w > bestLength)
            {
                bestStart = w;
                bestLength = end - w;
            }
            w = end;
        }
        for (int w = 0; w < 8; w++)
        {
            if (w == bestStart)
            {
                out.putByte(at++, (byte)':');
                out.putByte(at++, (byte)':');
                w += bestLength - 1;
                continue;
            }
            if (w > 0 && w != bestStart + bestLength)
            {
                out.putByte(at++, (byte)':');
            }
            at = putHex(out, at, word(address, w));
        }
        return at;
    }

    private static boolean isIpv4Mapped(final byte[] address)
    {
        for (int i = 0; i < 10; i++)
        {
            if (address[i] != 0)
            {
                return false;
            }
        }
        return address[10] == (byte)0xFF && address[11] == (byte)0xFF;
    }

    private static int word(final byte[] address, final int index)
    {
        return ((address[2 * index] & 0xFF) << 8) | (address[2 * index + 1] & 0xFF);
    }

    private static int putHex(final MutableDirectBuffer out, final int from, final int value)
    {
        int at = from;
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4)
        {
            final int nibble = (value >>> shift) & 0xF;
            if (nibble != 0 || started || shift == 0)
            {
                out.putByte(at++, HEX[nibble]);
                started = true;
            }
        }
        return at;
    }

    // ---- version 2 ------------------------------------------------------------------------------

    /** The bytes {@link #encodeV2} will write, or {@link #INVALID}. */
    public int encodedLengthV2()
    {
        if (addressesMissing() || authorityLength < 0 || alpnLength < 0)
        {
            return INVALID;
        }
        final int addressBlock = local ? 0 : bothIpv4() ? V2_ADDR_INET_BYTES : V2_ADDR_INET6_BYTES;
        final long len = (long)addressBlock + tlvBytes(authorityLength) + tlvBytes(alpnLength);
        return len > V2_MAX_LEN ? INVALID : V2_HEADER_BYTES + (int)len;
    }

    private static int tlvBytes(final int valueLength)
    {
        return valueLength == 0 ? 0 : TLV_HEADER_BYTES + valueLength;
    }

    /**
     * Writes a v2 header (PROXY over TCP, or LOCAL) with the AUTHORITY and ALPN TLVs that were given.
     *
     * @return bytes written, {@link #NO_ROOM} or {@link #INVALID}.
     */
    public int encodeV2(final MutableDirectBuffer out, final int offset, final int capacity)
    {
        final int total = encodedLengthV2();
        if (total < 0)
        {
            return total;
        }
        if (out == null || offset < 0 || capacity < total || out.capacity() - offset < total)
        {
            return NO_ROOM;
        }
        out.putBytes(offset, V2_SIGNATURE);
        final int cmd = local ? V2_CMD_LOCAL : V2_CMD_PROXY;
        out.putByte(offset + V2_VER_CMD_OFFSET, (byte)((V2_VERSION << 4) | cmd));
        out.putShort(offset + V2_LEN_OFFSET, (short)(total - V2_HEADER_BYTES), ByteOrder.BIG_ENDIAN);
        int at = offset + V2_HEADER_BYTES;
        if (local)
        {
            out.putByte(offset + V2_FAM_OFFSET, (byte)0);
        }
        else
        {
            final boolean ipv4 = bothIpv4();
            out.putByte(offset + V2_FAM_OFFSET, (byte)(((ipv4 ? V2_AF_INET : V2_AF_INET6) << 4) | V2_TRANSPORT_STREAM));
            if (ipv4)
            {
                out.putBytes(at, sourceAddress, 0, IPV4_BYTES);
                out.putBytes(at + IPV4_BYTES, destinationAddress, 0, IPV4_BYTES);
                at += 2 * IPV4_BYTES;
            }
            else
            {
                out.putBytes(at, asIpv6(sourceAddress, sourceLength, mappedSource), 0, IPV6_BYTES);
                out.putBytes(at + IPV6_BYTES, asIpv6(destinationAddress, destinationLength, mappedDestination), 0, IPV6_BYTES);
                at += 2 * IPV6_BYTES;
            }
            out.putShort(at, (short)sourcePort, ByteOrder.BIG_ENDIAN);
            out.putShort(at + 2, (short)destinationPort, ByteOrder.BIG_ENDIAN);
            at += 4;
        }
        at = putTlv(out, at, PP2_TYPE_AUTHORITY, authority, authorityOffset, authorityLength);
        putTlv(out, at, PP2_TYPE_ALPN, alpn, alpnOffset, alpnLength);
        return total;
    }

    private static int putTlv(final MutableDirectBuffer out, final int at, final int type, final DirectBuffer value, final int offset, final int length)
    {
        if (length == 0)
        {
            return at;
        }
        out.putByte(at, (byte)type);
        out.putShort(at + 1, (short)length, ByteOrder.BIG_ENDIAN);
        out.putBytes(at + TLV_HEADER_BYTES, value, offset, length);
        return at + TLV_HEADER_BYTES + length;
    }
}
