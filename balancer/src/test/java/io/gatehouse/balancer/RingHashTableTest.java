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
        assertEquals(1_600, ring(BackendPool.create(Algorithm.RING_HASH, BackendPoolContractTest.backends(100)))
            .ringSize());
        assertEquals(1_280, ring(BackendPool.create(Algorithm.RING_HASH, BackendPoolContractTest.backends(5)))
            .ringSize());
        final List<Backend> weighted = List.of(new Backend("a:1", 2), new Backend("b:1", 4));
        assertEquals(1_536, ring(BackendPool.create(Algorithm.RING_HASH, weighted)).ringSize());
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
            { "203.0.113.7", "10.0.0.2:443", "10.0.0.4:443" },
            { "198.51.100.23", "10.0.0.2:443", "10.0.0.4:443" },
            { "a.example.test", "10.0.0.1:443", "10.0.0.3:443" },
            { "b.example.test", "10.0.0.4:443", "10.0.0.1:443" },
        };
        for (final String[] vector : vectors)
        {
            final long hash = Hash.hash(vector[0].getBytes(StandardCharsets.US_ASCII));
            assertEquals(vector[1], pool.backend(pool.pick(hash, 0)).id(), vector[0]);
            assertEquals(vector[2], pool.backend(pool.pick(hash, 1)).id(), vector[0]);
        }
    }
}
