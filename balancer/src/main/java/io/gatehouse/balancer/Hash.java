package io.gatehouse.balancer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

import org.agrona.DirectBuffer;

/**
 * The one hash function of the balancer: xxHash64 (Yann Collet, XXH64 as specified in the xxHash repository's
 * {@code doc/xxhash_spec.md}) with seed 0, little-endian lane reads. The same bytes give the same 64-bit value
 * on every host and JVM, so routers behind one anycast or ECMP address agree on where a key goes. Fixed test
 * vectors pin it: {@code ""} is {@code 0xEF46DB3751D8E999}, {@code "a"} is {@code 0xD24EC4F1A98C6E5B},
 * {@code "abc"} is {@code 0x44BC2CF5AD770999} (see {@code HashTest} and the module README).
 * <p>
 * Any thread; no allocation; stateless.
 */
public final class Hash
{
    /** The seed of every hash here. Changing it moves every key of every pool. */
    public static final long SEED = 0;

    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME64_3 = 0x165667B19E3779F9L;
    private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME64_5 = 0x27D4EB2F165667C5L;
    private static final int STRIPE_LENGTH = 32;

    private static final VarHandle LONG_LE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
        MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Hash()
    {
    }

    /**
     * xxHash64 of {@code length} bytes of a buffer from {@code offset}.
     *
     * @param buffer the bytes.
     * @param offset first byte.
     * @param length how many bytes.
     * @return the hash.
     * @throws IndexOutOfBoundsException when the range lies outside the buffer.
     */
    public static long hash(final DirectBuffer buffer, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        final int limit = offset + length;
        int index = offset;
        long h;
        if (length >= STRIPE_LENGTH)
        {
            long v1 = SEED + PRIME64_1 + PRIME64_2;
            long v2 = SEED + PRIME64_2;
            long v3 = SEED;
            long v4 = SEED - PRIME64_1;
            while (limit - index >= STRIPE_LENGTH)
            {
                v1 = round(v1, buffer.getLong(index, ByteOrder.LITTLE_ENDIAN));
                v2 = round(v2, buffer.getLong(index + 8, ByteOrder.LITTLE_ENDIAN));
                v3 = round(v3, buffer.getLong(index + 16, ByteOrder.LITTLE_ENDIAN));
                v4 = round(v4, buffer.getLong(index + 24, ByteOrder.LITTLE_ENDIAN));
                index += STRIPE_LENGTH;
            }
            h = converge(v1, v2, v3, v4);
        }
        else
        {
            h = SEED + PRIME64_5;
        }
        h += length;
        while (limit - index >= 8)
        {
            h = addLane(h, buffer.getLong(index, ByteOrder.LITTLE_ENDIAN));
            index += 8;
        }
        if (limit - index >= 4)
        {
            h = addQuarter(h, buffer.getInt(index, ByteOrder.LITTLE_ENDIAN));
            index += 4;
        }
        while (limit - index >= 1)
        {
            h = addByte(h, buffer.getByte(index));
            index++;
        }
        return avalanche(h);
    }

    /**
     * xxHash64 of {@code length} bytes of an array from {@code offset}.
     *
     * @param bytes  the bytes.
     * @param offset first byte.
     * @param length how many bytes.
     * @return the hash.
     * @throws IndexOutOfBoundsException when the range lies outside the array.
     */
    public static long hash(final byte[] bytes, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        final int limit = offset + length;
        int index = offset;
        long h;
        if (length >= STRIPE_LENGTH)
        {
            long v1 = SEED + PRIME64_1 + PRIME64_2;
            long v2 = SEED + PRIME64_2;
            long v3 = SEED;
            long v4 = SEED - PRIME64_1;
            while (limit - index >= STRIPE_LENGTH)
            {
                v1 = round(v1, (long)LONG_LE.get(bytes, index));
                v2 = round(v2, (long)LONG_LE.get(bytes, index + 8));
                v3 = round(v3, (long)LONG_LE.get(bytes, index + 16));
                v4 = round(v4, (long)LONG_LE.get(bytes, index + 24));
                index += STRIPE_LENGTH;
            }
            h = converge(v1, v2, v3, v4);
        }
        else
        {
            h = SEED + PRIME64_5;
        }
        h += length;
        while (limit - index >= 8)
        {
            h = addLane(h, (long)LONG_LE.get(bytes, index));
            index += 8;
        }
        if (limit - index >= 4)
        {
            h = addQuarter(h, (int)INT_LE.get(bytes, index));
            index += 4;
        }
        while (limit - index >= 1)
        {
            h = addByte(h, bytes[index]);
            index++;
        }
        return avalanche(h);
    }

    /**
     * Hash of all bytes of an array.
     *
     * @param bytes the bytes.
     * @return {@code hash(bytes, 0, bytes.length)}.
     */
    public static long hash(final byte[] bytes)
    {
        return hash(bytes, 0, bytes.length);
    }

    /**
     * The key of a client address: {@code hash(address)} alone when {@code port < 0} (source-address
     * affinity), else {@code mix(hash(address), port)} (one half of a 4-tuple).
     *
     * @param address 4 (IPv4) or 16 (IPv6) bytes in network order.
     * @param port    0..65535, or negative for the address alone.
     * @return the hash.
     */
    public static long hashAddress(final byte[] address, final int port)
    {
        final long addressHash = hash(address, 0, address.length);
        return port < 0 ? addressHash : mix(addressHash, port);
    }

    /**
     * The key of a connection's 4-tuple: {@code mix(hashAddress(source, sourcePort),
     * hashAddress(destination, destinationPort))}. Spreads one client's connections over the pool.
     *
     * @param source          client address bytes.
     * @param sourcePort      client port.
     * @param destination     local (listener) address bytes.
     * @param destinationPort local port.
     * @return the hash.
     */
    public static long hashFourTuple(
        final byte[] source, final int sourcePort, final byte[] destination, final int destinationPort)
    {
        return mix(hashAddress(source, sourcePort), hashAddress(destination, destinationPort));
    }

    /**
     * Combines two 64-bit values into one well-mixed value: exactly the xxHash64 of the 16 bytes of
     * {@code a} then {@code b}, each little-endian. Used for replica points, second hashes and rendezvous
     * scores.
     *
     * @param a first value.
     * @param b second value.
     * @return the hash of the pair.
     */
    public static long mix(final long a, final long b)
    {
        long h = SEED + PRIME64_5 + 16;
        h = addLane(h, a);
        h = addLane(h, b);
        return avalanche(h);
    }

    /**
     * Maps a hash onto {@code 0..range-1} from its high 32 bits with one multiply (Lemire's fast range),
     * not a division.
     *
     * @param hash  any value.
     * @param range 1..2^31-1.
     * @return an index below {@code range}.
     */
    static int reduce(final long hash, final int range)
    {
        return (int)(((hash >>> 32) * range) >>> 32);
    }

    private static long round(final long accumulator, final long lane)
    {
        return Long.rotateLeft(accumulator + lane * PRIME64_2, 31) * PRIME64_1;
    }

    private static long mergeRound(final long h, final long v)
    {
        return (h ^ round(0, v)) * PRIME64_1 + PRIME64_4;
    }

    private static long converge(final long v1, final long v2, final long v3, final long v4)
    {
        long h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
        h = mergeRound(h, v1);
        h = mergeRound(h, v2);
        h = mergeRound(h, v3);
        return mergeRound(h, v4);
    }

    private static long addLane(final long h, final long lane)
    {
        return Long.rotateLeft(h ^ round(0, lane), 27) * PRIME64_1 + PRIME64_4;
    }

    private static long addQuarter(final long h, final int quarter)
    {
        return Long.rotateLeft(h ^ ((quarter & 0xFFFF_FFFFL) * PRIME64_1), 23) * PRIME64_2 + PRIME64_3;
    }

    private static long addByte(final long h, final byte b)
    {
        return Long.rotateLeft(h ^ ((b & 0xFFL) * PRIME64_5), 11) * PRIME64_1;
    }

    private static long avalanche(final long hash)
    {
        long h = hash;
        h ^= h >>> 33;
        h *= PRIME64_2;
        h ^= h >>> 29;
        h *= PRIME64_3;
        h ^= h >>> 32;
        return h;
    }
}
