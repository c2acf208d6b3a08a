package io.gatehouse.router.config;

/**
 * A source CIDR, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a /32 or /128.
 *
 * @param address      the network address bytes (4 or 16), host bits zero.
 * @param prefixLength 0..32 or 0..128.
 */
public record Cidr(byte[] address, int prefixLength)
{
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
