package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TwoChoicesTableTest
{
    @Test
    void shouldPreferTheBackendWithFewerConnectionsPerWeight()
    {
        final BackendPool pool = BackendPool.create(
            Algorithm.LEAST_CONN_P2C, List.of(Backend.of("a:1"), new Backend("b:1", 2)));
        for (int i = 0; i < 3; i++)
        {
            pool.onConnectionOpened(0);
        }
        for (long key = 0; key < 1_000; key++)
        {
            assertEquals(1, pool.pick(Hash.mix(key, 1), 0));
        }
        for (int i = 0; i < 8; i++)
        {
            pool.onConnectionOpened(1);
        }
        for (long key = 0; key < 1_000; key++)
        {
            assertEquals(0, pool.pick(Hash.mix(key, 1), 0));
        }
        pool.onConnectionClosed(0);
        assertEquals(2, pool.activeConnections(0));
    }

    @Test
    void shouldDrawCandidatesInProportionToWeightWhenWeightsDiffer()
    {
        final BackendPool pool = BackendPool.create(
            Algorithm.LEAST_CONN_P2C,
            List.of(new Backend("a:1", 2), new Backend("b:1", 1), new Backend("c:1", 3)));
        final double[] shares = pool.hashShares();
        assertEquals(2 / 6.0, shares[0], 1e-9);
        assertEquals(1 / 6.0, shares[1], 1e-9);
        assertEquals(3 / 6.0, shares[2], 1e-9);
        final int[] counts = new int[3];
        for (long key = 0; key < 60_000; key++)
        {
            final int index = pool.pick(Hash.mix(key, 3), 0);
            counts[index]++;
            pool.onConnectionOpened(index);
        }
        assertEquals(20_000, counts[0], 600);
        assertEquals(10_000, counts[1], 600);
        assertEquals(30_000, counts[2], 600);
    }
}
