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
}
