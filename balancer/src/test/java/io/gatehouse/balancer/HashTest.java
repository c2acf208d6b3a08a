package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Published XXH64 (seed 0) vectors: the reference C library's outputs as given by python-xxhash, for text
 * and for the byte pattern {@code i % 251} at lengths that cross every tail path (8/4/1-byte) and the
 * 32-byte stripe loop.
 */
@Timeout(10)
class HashTest
{
    @ParameterizedTest
    @CsvSource({
        "'', ef46db3751d8e999",
        "a, d24ec4f1a98c6e5b",
        "abc, 44bc2cf5ad770999",
        "message digest, 066ed728fceeb3be",
        "abcdefghijklmnopqrstuvwxyz, cfe1f278fa89835c",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789, aaa46907d3047814",
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890, e04a477f19ee145d",
    })
    void shouldMatchPublishedVectorsForText(final String text, final String expectedHex)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertEquals(Long.parseUnsignedLong(expectedHex, 16), Hash.hash(bytes, 0, bytes.length));
        assertEquals(Long.parseUnsignedLong(expectedHex, 16), Hash.hash(new UnsafeBuffer(bytes), 0, bytes.length));
    }

    @ParameterizedTest
    @CsvSource({
        "0, ef46db3751d8e999", "1, e934a84adb052768", "3, e5c7bb4533bc65dd", "4, ffced8604453cc1e",
        "7, 14cc643f630c72d2", "8, 884a173614b81b8d", "15, a948f5f0f6abac2d", "16, 44b6ef2fb84169f7",
        "31, c346d2b59b4d8ee1", "32, cbf59c5116ff32b4", "33, 0c535d1acafb8ead", "63, e26aa9e2a95f8e4f",
        "64, f7c67301db6713f0", "65, c31eb63b2ae4465b", "255, 566d96b832b967c1", "256, f33944343ee85824",
        "1000, f306f04aa88b54d3",
    })
    void shouldMatchPublishedVectorsForEveryTailLength(final int length, final String expectedHex)
    {
        final byte[] bytes = pattern(length);
        assertEquals(Long.parseUnsignedLong(expectedHex, 16), Hash.hash(bytes, 0, length));
    }

    @Test
    void shouldHashTheSameBytesTheSameWayAtAnyOffsetInArrayOrBuffer()
    {
        final byte[] source = pattern(300);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(300));
        direct.putBytes(0, source);
        for (final int offset : new int[]{ 0, 7, 13 })
        {
            for (int length = 0; length <= 100; length++)
            {
                final long expected = Hash.hash(Arrays.copyOfRange(source, offset, offset + length));
                assertEquals(expected, Hash.hash(source, offset, length), "array " + offset + "+" + length);
                assertEquals(expected, Hash.hash(direct, offset, length), "direct " + offset + "+" + length);
            }
        }
    }

    @Test
    void shouldDefineMixAsTheHashOfBothValuesLittleEndian()
    {
        final long[][] pairs = { { 0, 0 }, { 1, 2 }, { -1, Long.MIN_VALUE }, { 0x0123456789ABCDEFL, 443 } };
        for (final long[] pair : pairs)
        {
            final byte[] bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(pair[0]).putLong(pair[1]).array();
            assertEquals(Hash.hash(bytes), Hash.mix(pair[0], pair[1]));
        }
    }

    @Test
    void shouldHashAnAddressAloneOrWithItsPort()
    {
        final byte[] address = { 10, 0, 0, 7 };
        assertEquals(Hash.hash(address), Hash.hashAddress(address, -1));
        assertEquals(Hash.mix(Hash.hash(address), 443), Hash.hashAddress(address, 443));
        assertNotEquals(Hash.hashAddress(address, 443), Hash.hashAddress(address, 444));
        final byte[] other = { 127, 0, 0, 1 };
        assertEquals(
            Hash.mix(Hash.hashAddress(address, 50000), Hash.hashAddress(other, 8443)),
            Hash.hashFourTuple(address, 50000, other, 8443));
    }

    @Test
    void shouldKeepReduceInsideTheRangeAndSpreadOverIt()
    {
        final int range = 65_537;
        final int[] counts = new int[16];
        for (long i = 0; i < 100_000; i++)
        {
            final int slot = Hash.reduce(Hash.mix(i, 0), range);
            assertTrue(slot >= 0 && slot < range);
            counts[slot * 16 / range]++;
        }
        for (final int count : counts)
        {
            assertTrue(Math.abs(count - 6250) < 600, "bucket count " + count);
        }
        assertEquals(range - 1, Hash.reduce(-1L, range));
        assertEquals(0, Hash.reduce(0L, range));
    }

    @Test
    void shouldRejectARangeOutsideTheBytes()
    {
        final byte[] bytes = new byte[8];
        assertThrows(IndexOutOfBoundsException.class, () -> Hash.hash(bytes, 4, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> Hash.hash(bytes, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Hash.hash(new UnsafeBuffer(bytes), 8, 1));
    }

    @Test
    void shouldGiveDistinctHashesForManyBackendIds()
    {
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++)
        {
            assertTrue(seen.add(Hash.hash(("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + ":443")
                .getBytes(StandardCharsets.US_ASCII))));
        }
    }

    static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i % 251);
        }
        return bytes;
    }
}
