package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RotationTableTest
{
    @Test
    void shouldInterleaveByWeightInIdOrder()
    {
        final BackendPool pool = BackendPool.create(
            Algorithm.ROUND_ROBIN, List.of(new Backend("b:1", 1), new Backend("a:1", 3)));
        final StringBuilder order = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            order.append(pool.backend(pool.pick(i, 0)).id().charAt(0));
        }
        assertEquals("abaaabaa", order.toString());
    }

    @Test
    void shouldVisitEveryBackendOncePerTurnWhenUnweighted()
    {
        final BackendPool pool = BackendPool.create(Algorithm.ROUND_ROBIN, BackendPoolContractTest.backends(7));
        for (int turn = 0; turn < 5; turn++)
        {
            final Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 7; i++)
            {
                assertTrue(seen.add(pool.pick(0, 0)));
            }
        }
    }

    @Test
    void shouldCapTheSequenceAndKeepEveryBackend()
    {
        final List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 3_000; i++)
        {
            backends.add(new Backend("w" + i, i % 2 == 0 ? 997 : 991));
        }
        final BackendPool pool = BackendPool.create(Algorithm.ROUND_ROBIN, backends);
        final RotationTable table = (RotationTable)pool.state().table;
        assertTrue(table.length() <= RotationTable.MAX_LENGTH, "length " + table.length());
        final Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < table.length(); i++)
        {
            seen.add(pool.pick(i, 0));
        }
        assertEquals(3_000, seen.size());
    }
}
