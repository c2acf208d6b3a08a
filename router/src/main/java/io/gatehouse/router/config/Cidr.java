package io.gatehouse.router.config;

/**
 * A source CIDR, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a /32 or /128.
 *
 * @param address      the network address bytes (4 or 16), host bits zero.
 * @param prefixLength 0..32 or 0..128.
 */
public record Cidr(byte[] address, int prefixLength)
{
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

    /** True when {@code candidate} (4 or 16 bytes) lies inside this block; other families never match. */
    public boolean contains(final byte[] candidate)
    {
        if (candidate.length != address.length)
        {
            return false;
        }
        final int fullBytes = prefixLength >>> 3;
        for (int i = 0; i < fullBytes; i++)
        {
            if (candidate[i] != address[i])
            {
                return false;
            }
        }
        final int restBits = prefixLength & 7;
        if (restBits == 0)
        {
            return true;
        }
        final int mask = (0xFF << (8 - restBits)) & 0xFF;
        return (candidate[fullBytes] & mask) == (address[fullBytes] & mask);
    }
}
