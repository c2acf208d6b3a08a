package io.gatehouse.router.config;

/**
 * A source CIDR, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a /32 or /128.
 *
 * <p>The one address rule of every list that holds CIDRs ({@code allow}, {@code deny},
 * {@code proxy_protocol_from}, route {@code allow}/{@code deny}): an IPv4 address is the IPv6 address
 * {@code ::ffff:a.b.c.d}, as HAProxy's address patterns compare them. So an IPv4-mapped block
 * ({@code ::ffff:127.0.0.2}, {@code ::ffff:10.0.0.0/104}) is stored as the IPv4 block it names
 * ({@code 127.0.0.2/32}, {@code 10.0.0.0/8}), an IPv4-mapped client address matches IPv4 blocks, and an
 * IPv6 block that contains all of {@code ::ffff:0:0/96} ({@code ::/0}, {@code ::/80}) covers every IPv4
 * client. Any other IPv6 block ({@code 2001:db8::/32}) never covers an IPv4 client.
 *
 * @param address      the network address bytes (4 or 16), host bits zero.
 * @param prefixLength 0..32 or 0..128.
 */
public record Cidr(byte[] address, int prefixLength)
{
    /** The first 96 bits of every IPv4-mapped IPv6 address. */
    private static final byte[] IPV4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xFF, (byte)0xFF};

    /** An IPv4-mapped block of /96 or longer becomes the IPv4 block it names. */
    public Cidr
    {
        if (address.length == 16 && prefixLength >= 96 && startsWithMappedPrefix(address, 96))
        {
            address = java.util.Arrays.copyOfRange(address, 12, 16);
            prefixLength -= 96;
        }
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code v6/n} or a bare address. Host bits must be zero.
     *
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static Cidr parse(final String text)
    {
        final int slash = text.indexOf('/');
        final String addressText = slash < 0 ? text : text.substring(0, slash);
        final byte[] bytes = InetLiteral.parse(addressText);
        if (bytes == null)
        {
            throw new IllegalArgumentException("'" + addressText + "' is not an IP address");
        }
        final int maxBits = bytes.length * 8;
        final int prefix;
        if (slash < 0)
        {
            prefix = addressText.indexOf(':') >= 0 ? 128 : maxBits;
        }
        else
        {
            final String prefixText = text.substring(slash + 1);
            if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9'))
            {
                throw new IllegalArgumentException("prefix length must be a number 0.." + maxBits + ", got '" + prefixText + "'");
            }
            prefix = Integer.parseInt(prefixText);
            if (prefix > maxBits)
            {
                throw new IllegalArgumentException("prefix length must be 0.." + maxBits + ", got " + prefix);
            }
        }
        final byte[] network = bytes.clone();
        for (int bit = prefix; bit < maxBits; bit++)
        {
            network[bit >>> 3] &= (byte)~(0x80 >>> (bit & 7));
        }
        if (!java.util.Arrays.equals(network, bytes))
        {
            throw new IllegalArgumentException("host bits set in '" + text + "'; did you mean "
                + new Cidr(network, prefix) + "?");
        }
        return new Cidr(network, prefix);
    }

    @Override
    public String toString()
    {
        try
        {
            return java.net.InetAddress.getByAddress(address).getHostAddress() + "/" + prefixLength;
        }
        catch (final java.net.UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Cidr that && prefixLength == that.prefixLength && java.util.Arrays.equals(address, that.address);
    }

    @Override
    public int hashCode()
    {
        return 31 * java.util.Arrays.hashCode(address) + prefixLength;
    }

    /**
     * True when {@code candidate} (4 or 16 bytes) lies inside this block, an IPv4 address being
     * {@code ::ffff:a.b.c.d} (see the class comment); other lengths never match. Allocates nothing.
     */
    public boolean contains(final byte[] candidate)
    {
        final boolean mappedCandidate = candidate.length == 16 && startsWithMappedPrefix(candidate, 96);
        if (address.length == 4)
        {
            if (candidate.length == 4)
            {
                return prefixMatches(candidate, 0, address, prefixLength);
            }
            return mappedCandidate && prefixMatches(candidate, 12, address, prefixLength);
        }
        if (candidate.length == 16)
        {
            return prefixMatches(candidate, 0, address, prefixLength);
        }
        return candidate.length == 4 && coversIpv4();
    }

    /** True for an IPv6 block that contains every IPv4-mapped address ({@code ::/0}, {@code ::/80}, ...). */
    public boolean coversIpv4()
    {
        return address.length == 16 && prefixLength <= 96 && startsWithMappedPrefix(address, prefixLength);
    }

    /** The first {@code bits} (at most 96) of the 16 bytes equal those of {@code ::ffff:0:0}. */
    private static boolean startsWithMappedPrefix(final byte[] bytes, final int bits)
    {
        return prefixMatches(bytes, 0, IPV4_MAPPED_PREFIX, bits);
    }

    /** The first {@code bits} of {@code candidate} from {@code offset} equal the first {@code bits} of {@code network}. */
    private static boolean prefixMatches(final byte[] candidate, final int offset, final byte[] network, final int bits)
    {
        final int fullBytes = bits >>> 3;
        for (int i = 0; i < fullBytes; i++)
        {
            if (candidate[offset + i] != network[i])
            {
                return false;
            }
        }
        final int restBits = bits & 7;
        if (restBits == 0)
        {
            return true;
        }
        final int mask = (0xFF << (8 - restBits)) & 0xFF;
        return (candidate[offset + fullBytes] & mask) == (network[fullBytes] & mask);
    }
}
