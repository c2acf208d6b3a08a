package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
        assertEquals(98_304, ring(BackendPool.create(Algorithm.RING_HASH, weighted)).ringSize());
        assertEquals(768, ring(BackendPool.create(
            Algorithm.RING_HASH, weighted, BalancerOptions.defaults().withRingSize(512, 1_000))).ringSize());
    }

    @Test
    void shouldKeepOnePointPerUnitOfWeightWhenTheMaximumIsTooSmall()
    {
        final BackendPool pool = BackendPool.create(
            Algorithm.RING_HASH, BackendPoolContractTest.backends(50), BalancerOptions.defaults().withRingSize(1, 10));
        assertEquals(50, ring(pool).ringSize());
    }

    @Test
    void shouldMatchFixedVectorsForFiveBackends()
    {
        final List<Backend> backends = new ArrayList<>();
        for (int i = 1; i <= 5; i++)
        {
            backends.add(Backend.of("10.0.0." + i + ":443"));
        }
        final BackendPool pool = BackendPool.create(Algorithm.RING_HASH, backends);
        final String[][] vectors = {
            { "203.0.113.7", "10.0.0.1:443", "10.0.0.4:443" },
            { "198.51.100.23", "10.0.0.4:443", "10.0.0.2:443" },
            { "a.example.test", "10.0.0.2:443", "10.0.0.3:443" },
            { "b.example.test", "10.0.0.4:443", "10.0.0.1:443" },
        };
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
