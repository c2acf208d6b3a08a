package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RingHashTableTest
{
    private static RingHashTable ring(final BackendPool pool)
    {
        return (RingHashTable)pool.state().table;
    }

    @Test
    void shouldGiveEachUnitOfWeightAPowerOfTwoPointsReachingTheMinimum()
    {
        final BalancerOptions envoy = BalancerOptions.defaults().withRingSize(1_024, 8 * 1024 * 1024);
        assertEquals(1_600, ring(BackendPool.create(
            Algorithm.RING_HASH, BackendPoolContractTest.backends(100), envoy)).ringSize());
        assertEquals(1_280, ring(BackendPool.create(
            Algorithm.RING_HASH, BackendPoolContractTest.backends(5), envoy)).ringSize());
        final List<Backend> weighted = List.of(new Backend("a:1", 2), new Backend("b:1", 4));
        assertEquals(1_536, ring(BackendPool.create(Algorithm.RING_HASH, weighted, envoy)).ringSize());
        assertEquals(102_400, ring(BackendPool.create(Algorithm.RING_HASH, BackendPoolContractTest.backends(100)))
            .ringSize());
        assertEquals(98_304, ring(BackendPool.create(Algorithm.RING_HASH, weighted,
            BalancerOptions.defaults().withRingSize(65_536, 8 * 1024 * 1024))).ringSize());
        // By default the minimum scales: weights 2 and 4 are 3 equivalent backends, 3 * 1,024 -> 4,096;
        // 2,048 points per unit of the reduced weights 1 and 2.
        assertEquals(6_144, ring(BackendPool.create(Algorithm.RING_HASH, weighted)).ringSize());
        assertEquals(768, ring(BackendPool.create(
            Algorithm.RING_HASH, weighted, BalancerOptions.defaults().withRingSize(512, 1_000))).ringSize());
    }

    /**
     * The default minimum is the smallest power of two >= 1,024 points per equivalent backend, capped at
     * 65,536 (reached at 64 backends): the 1,024 points per backend of a 100-backend pool at the old fixed
     * minimum, for every pool size, and the same 65,536 for large pools.
     */
    @Test
    void shouldScaleTheDefaultMinimumWithThePoolAndHonourChosenBounds()
    {
        final int[][] expected = {
            { 0, 1_024 }, { 1, 1_024 }, { 2, 2_048 }, { 3, 4_096 }, { 4, 4_096 }, { 5, 8_192 }, { 10, 16_384 },
            { 33, 65_536 }, { 64, 65_536 }, { 100, 65_536 }, { 10_000, 65_536 } };
        for (final int[] row : expected)
        {
            final List<Backend> backends = BackendPoolContractTest.backends(row[0]);
            assertEquals(row[1], BalancerOptions.defaultRingMinSize(backends), row[0] + " backends");
            final BackendPool pool = BackendPool.create(Algorithm.RING_HASH, backends);
            assertEquals(row[1], pool.tableOptions().ringMinSize());
            assertTrue(row[0] == 0 || ring(pool).ringSize() >= row[1], row[0] + " backends");
            if (row[0] > 0 && row[0] <= 64)
            {
                assertTrue(ring(pool).ringSize() / row[0] >= 1_024, row[0] + " backends: points per backend");
            }
        }
        final List<Backend> two = BackendPoolContractTest.backends(2);
        assertEquals(65_536, ring(BackendPool.create(Algorithm.RING_HASH, two,
            BalancerOptions.defaults().withRingSize(65_536, 8 * 1024 * 1024))).ringSize(), "a chosen minimum is kept");
        assertEquals(2_048, ring(BackendPool.create(Algorithm.RING_HASH, two)).ringSize());
        assertEquals(1_024, ring(BackendPool.create(Algorithm.RING_HASH, List.of(new Backend("a:1", 7),
            new Backend("b:1", 7)), BalancerOptions.defaults().withMaglevTableSize(257))).ringSize() / 2,
            "a chosen Maglev size leaves the ring scaled");
    }

    /** The bucketed sort orders points exactly as Arrays.sort, also with every point in one bucket. */
    @Test
    void shouldSortPointsAsAGeneralSortDoes()
    {
        final Random random = new Random(12);
        for (final int length : new int[]{ 0, 1, 2, 15, 16, 17, 1_000, 2_048, 65_536 })
        {
            for (final boolean crowded : new boolean[]{ false, true })
            {
                final long[] points = new long[length];
                for (int i = 0; i < length; i++)
                {
                    points[i] = crowded ? (random.nextLong() >>> 30) ^ Long.MIN_VALUE : random.nextLong();
                }
                final long[] expected = points.clone();
                Arrays.sort(expected);
                final int[] starts = RingHashTable.sortPoints(points);
                assertArrayEquals(expected, points, length + " crowded " + crowded);
                assertArrayEquals(bucketStartsByScan(expected), starts, "bucket index, " + length + " crowded " + crowded);
            }
        }
    }

    /** The lookup's bucket index found the slow way: for each bucket, the first point in it or after it. */
    private static int[] bucketStartsByScan(final long[] sorted)
    {
        final int bits = sorted.length <= 1 ? 0 : Math.min(20, 64 - Long.numberOfLeadingZeros(sorted.length - 1));
        final int[] starts = new int[(1 << bits) + 1];
        for (int bucket = 0; bucket < starts.length; bucket++)
        {
            int first = 0;
            while (first < sorted.length && bits > 0 && ((sorted[first] ^ Long.MIN_VALUE) >>> (64 - bits)) < bucket)
            {
                first++;
            }
            starts[bucket] = bits == 0 && bucket == 1 ? sorted.length : first;
        }
        return starts;
    }

    @Test
    void shouldKeepOnePointPerUnitOfWeightWhenTheMaximumIsTooSmall()
    {
        final BackendPool pool = BackendPool.create(
            Algorithm.RING_HASH, BackendPoolContractTest.backends(50), BalancerOptions.defaults().withRingSize(1, 10));
        assertEquals(50, ring(pool).ringSize());
    }

    /** At the minimum of 65,536 points (the default before minimums scaled, chosen here). */
    @Test
    void shouldMatchFixedVectorsForFiveBackends()
    {
        final String[][] vectors = {
            { "203.0.113.7", "10.0.0.1:443", "10.0.0.4:443" },
            { "198.51.100.23", "10.0.0.4:443", "10.0.0.2:443" },
            { "a.example.test", "10.0.0.2:443", "10.0.0.3:443" },
            { "b.example.test", "10.0.0.4:443", "10.0.0.1:443" },
        };
        assertVectors(BackendPool.create(Algorithm.RING_HASH, fiveBackends(),
            BalancerOptions.defaults().withRingSize(65_536, 8 * 1024 * 1024)), vectors);
    }

    /** At the default minimum of five backends, 8,192 (10,240 points). */
    @Test
    void shouldMatchFixedVectorsForFiveBackendsAtTheDefaultMinimum()
    {
        final String[][] vectors = {
            { "203.0.113.7", "10.0.0.3:443", "10.0.0.4:443" },
            { "198.51.100.23", "10.0.0.5:443", "10.0.0.4:443" },
            { "a.example.test", "10.0.0.1:443", "10.0.0.3:443" },
            { "b.example.test", "10.0.0.3:443", "10.0.0.1:443" },
        };
        final BackendPool pool = BackendPool.create(Algorithm.RING_HASH, fiveBackends());
        assertEquals(10_240, ring(pool).ringSize());
        assertVectors(pool, vectors);
    }

    private static List<Backend> fiveBackends()
    {
        final List<Backend> backends = new ArrayList<>();
        for (int i = 1; i <= 5; i++)
        {
            backends.add(Backend.of("10.0.0." + i + ":443"));
        }
        return backends;
    }

    private static void assertVectors(final BackendPool pool, final String[][] vectors)
    {
        for (final String[] vector : vectors)
        {
            final long hash = Hash.hash(vector[0].getBytes(StandardCharsets.US_ASCII));
            assertEquals(vector[1], pool.backend(pool.pick(hash, 0)).id(), vector[0]);
            assertEquals(vector[2], pool.backend(pool.pick(hash, 1)).id(), vector[0]);
        }
    }

    /** The documented rule, computed independently: replica j of id at mix(hash(id), j), top 40 bits. */
    @Test
    void shouldSendEachKeyToTheFirstPointAtOrAfterIt()
    {
        for (final int count : new int[]{ 1, 2, 7 })
        {
            final List<Backend> backends = BackendPoolContractTest.backends(count);
            final BackendPool pool = BackendPool.create(
                Algorithm.RING_HASH, backends, BalancerOptions.defaults().withRingSize(64, 1_000));
            final int perBackend = ring(pool).ringSize() / count;
            final List<long[]> points = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final long h = Hash.hash(backends.get(i).id().getBytes(StandardCharsets.US_ASCII));
                for (int j = 0; j < perBackend; j++)
                {
                    points.add(new long[]{ Hash.mix(h, j) & ~0xFF_FFFFL, i });
                }
            }
            points.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
            for (long k = 0; k < 20_000; k++)
            {
                final long key = Hash.mix(k, 99);
                long expected = points.get(0)[1];
                for (final long[] point : points)
                {
                    if (Long.compareUnsigned(point[0], key & ~0xFF_FFFFL) >= 0)
                    {
                        expected = point[1];
                        break;
                    }
                }
                assertEquals((int)expected, pool.pick(key, 0), "key " + k + " of " + count);
            }
        }
    }
}
