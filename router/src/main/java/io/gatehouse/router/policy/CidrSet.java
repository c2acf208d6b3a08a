package io.gatehouse.router.policy;

import io.gatehouse.router.config.Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of IPv4 and IPv6 blocks, merged into sorted disjoint ranges: a lookup is a binary
 * search over plain arrays. The address rule is {@link Cidr}'s: IPv4-mapped IPv6 addresses
 * ({@code ::ffff:a.b.c.d}) match the IPv4 blocks, and an IPv6 block holding all of {@code ::ffff:0:0/96}
 * ({@code ::/0}) also covers every IPv4 address.
 *
 * <p>Thread-safe (immutable). {@link #containsIpv4(int)} and {@link #contains(byte[])} allocate nothing;
 * {@link #contains(InetAddress)} allocates nothing for IPv4 and one 16-byte copy for IPv6.
 */
public final class CidrSet
{
    private static final CidrSet EMPTY = new CidrSet(new long[0], new long[0], new long[0], new long[0], new long[0], new long[0]);

    private final long[] v4Start;
    private final long[] v4End;
    private final long[] v6StartHi;
    private final long[] v6StartLo;
    private final long[] v6EndHi;
    private final long[] v6EndLo;

    private CidrSet(
        final long[] v4Start, final long[] v4End, final long[] v6StartHi, final long[] v6StartLo, final long[] v6EndHi,
        final long[] v6EndLo)
    {
        this.v4Start = v4Start;
        this.v4End = v4End;
        this.v6StartHi = v6StartHi;
        this.v6StartLo = v6StartLo;
        this.v6EndHi = v6EndHi;
        this.v6EndLo = v6EndLo;
    }

    public static CidrSet empty()
    {
        return EMPTY;
    }

    /** The union of {@code cidrs}; overlapping and adjacent blocks merge. */
    public static CidrSet of(final List<Cidr> cidrs)
    {
        if (cidrs.isEmpty())
        {
            return EMPTY;
        }
        final List<long[]> v4 = new ArrayList<>();
        final List<long[]> v6 = new ArrayList<>();
        for (final Cidr cidr : cidrs)
        {
            final byte[] a = cidr.address();
            if (a.length == 4)
            {
                final long start = ipv4(a) & 0xFFFF_FFFFL;
                final long size = 1L << (32 - cidr.prefixLength());
                v4.add(new long[] {start, start + size - 1});
            }
            else
            {
                v6.add(v6Range(a, cidr.prefixLength()));
                if (cidr.coversIpv4())
                {
                    v4.add(new long[] {0, 0xFFFF_FFFFL});
                }
            }
        }
        v4.sort((x, y) -> Long.compare(x[0], y[0]));
        final List<long[]> mergedV4 = new ArrayList<>();
        for (final long[] range : v4)
        {
            final long[] last = mergedV4.isEmpty() ? null : mergedV4.get(mergedV4.size() - 1);
            if (last != null && range[0] <= last[1] + 1)
            {
                last[1] = Math.max(last[1], range[1]);
            }
            else
            {
                mergedV4.add(range.clone());
            }
        }
        v6.sort((x, y) -> compare128(x[0], x[1], y[0], y[1]));
        final List<long[]> mergedV6 = new ArrayList<>();
        for (final long[] range : v6)
        {
            final long[] last = mergedV6.isEmpty() ? null : mergedV6.get(mergedV6.size() - 1);
            if (last != null && compare128(range[0], range[1], last[2], last[3]) <= 0)
            {
                if (compare128(range[2], range[3], last[2], last[3]) > 0)
                {
                    last[2] = range[2];
                    last[3] = range[3];
                }
            }
            else
            {
                mergedV6.add(range.clone());
            }
        }
        final long[] s4 = new long[mergedV4.size()];
        final long[] e4 = new long[mergedV4.size()];
        for (int i = 0; i < s4.length; i++)
        {
            s4[i] = mergedV4.get(i)[0];
            e4[i] = mergedV4.get(i)[1];
        }
        final int n6 = mergedV6.size();
        final long[] sh = new long[n6];
        final long[] sl = new long[n6];
        final long[] eh = new long[n6];
        final long[] el = new long[n6];
        for (int i = 0; i < n6; i++)
        {
            final long[] r = mergedV6.get(i);
            sh[i] = r[0];
            sl[i] = r[1];
            eh[i] = r[2];
            el[i] = r[3];
        }
        return new CidrSet(s4, e4, sh, sl, eh, el);
    }

    public boolean isEmpty()
    {
        return v4Start.length == 0 && v6StartHi.length == 0;
    }

    /** True when the IPv4 address (network order packed in an int) is inside a block. */
    public boolean containsIpv4(final int address)
    {
        final long value = address & 0xFFFF_FFFFL;
        int lo = 0;
        int hi = v4Start.length - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (v4Start[mid] <= value)
            {
                if (value <= v4End[mid])
                {
                    return true;
                }
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return false;
    }

    /** True when the IPv6 address, as two big-endian halves, is inside a block. */
    public boolean containsIpv6(final long high, final long low)
    {
        int lo = 0;
        int hi = v6StartHi.length - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (compare128(v6StartHi[mid], v6StartLo[mid], high, low) <= 0)
            {
                if (compare128(high, low, v6EndHi[mid], v6EndLo[mid]) <= 0)
                {
                    return true;
                }
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return false;
    }

    /** 4 or 16 address bytes; other lengths never match. */
    public boolean contains(final byte[] address)
    {
        if (address.length == 4)
        {
            return containsIpv4(ipv4(address));
        }
        if (address.length != 16)
        {
            return false;
        }
        if (isIpv4Mapped(address))
        {
            return containsIpv4(ipv4Tail(address));
        }
        return containsIpv6(half(address, 0), half(address, 8));
    }

    public boolean contains(final InetAddress address)
    {
        if (address instanceof Inet4Address)
        {
            // Inet4Address.hashCode() is its address in network order: no copy.
            return containsIpv4(address.hashCode());
        }
        if (address instanceof Inet6Address)
        {
            return contains(address.getAddress());
        }
        return false;
    }

    static int ipv4(final byte[] a)
    {
        return ((a[0] & 0xFF) << 24) | ((a[1] & 0xFF) << 16) | ((a[2] & 0xFF) << 8) | (a[3] & 0xFF);
    }

    private static int ipv4Tail(final byte[] a)
    {
        return ((a[12] & 0xFF) << 24) | ((a[13] & 0xFF) << 16) | ((a[14] & 0xFF) << 8) | (a[15] & 0xFF);
    }

    static boolean isIpv4Mapped(final byte[] a)
    {
        for (int i = 0; i < 10; i++)
        {
            if (a[i] != 0)
            {
                return false;
            }
        }
        return a[10] == (byte)0xFF && a[11] == (byte)0xFF;
    }

    static long half(final byte[] a, final int offset)
    {
        long value = 0;
        for (int i = 0; i < 8; i++)
        {
            value = (value << 8) | (a[offset + i] & 0xFF);
        }
        return value;
    }

    private static long[] v6Range(final byte[] a, final int prefixLength)
    {
        final long hi = half(a, 0);
        final long lo = half(a, 8);
        final long hostHi = prefixLength >= 64 ? 0 : (prefixLength == 0 ? -1L : -1L >>> prefixLength);
        final long hostLo = prefixLength >= 128 ? 0 : (prefixLength <= 64 ? -1L : -1L >>> (prefixLength - 64));
        return new long[] {hi, lo, hi | hostHi, lo | hostLo};
    }

    private static int compare128(final long aHi, final long aLo, final long bHi, final long bLo)
    {
        final int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    @Override
    public String toString()
    {
        return "CidrSet{v4 ranges=" + v4Start.length + ", v6 ranges=" + v6StartHi.length + ", v4=" + Arrays.toString(v4Start) + "}";
    }
}
