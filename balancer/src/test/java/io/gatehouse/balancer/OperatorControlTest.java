package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Drain/disable (not accepting) and weight changes, kept apart from health, on every algorithm. */
class OperatorControlTest
{
    private static final List<Backend> THREE = List.of(new Backend("a:1", 1), new Backend("b:1", 1), new Backend("c:1", 1));

    private static int[] firstChoices(final BackendPool pool, final int hashes)
    {
        final int[] counts = new int[pool.size()];
        for (long h = 0; h < hashes; h++)
        {
            final int index = pool.pick(Hash.mix(h, 12345), 0);
            if (index >= 0)
            {
                counts[index]++;
            }
        }
        return counts;
    }

    @Test
    void shouldGiveNoNewConnectionToABackendNotAcceptingOnEveryAlgorithm()
    {
        for (final Algorithm algorithm : Algorithm.values())
        {
            final BackendPool pool = BackendPool.create(algorithm, THREE);
            pool.setAccepting(1, false);
            assertFalse(pool.isUp(1), algorithm.name());
            assertTrue(pool.isHealthy(1));
            assertEquals(2, pool.healthyCount());
            assertEquals(0, firstChoices(pool, 10_000)[1], algorithm + ": no first choice on the drained backend");
            for (long h = 0; h < 1_000; h++)
            {
                for (int attempt = 1; attempt < 4; attempt++)
                {
                    assertTrue(pool.pick(h, attempt) != 1, algorithm + ": no retry lands on it either");
                }
            }
            pool.setAccepting(1, true);
            assertTrue(firstChoices(pool, 10_000)[1] > 2_000, algorithm + ": back after enable");
        }
    }

    @Test
    void shouldKeepADrainWhenHealthComesBackAndHealthDownWhenEnabled()
    {
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, THREE);
        pool.setAccepting(0, false);
        pool.markDown(0);
        pool.markUp(0);
        assertFalse(pool.isUp(0), "a health check does not undo the operator's drain");
        pool.markDown(0);
        pool.setAccepting(0, true);
        assertFalse(pool.isUp(0), "enable does not undo health");
        pool.markUp(0);
        assertTrue(pool.isUp(0));
        assertTrue(pool.isTableCurrent());
    }

    @Test
    void shouldRebuildTheTableWithANewWeight()
    {
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, THREE);
        pool.setWeight(2, 4);
        assertEquals(4, pool.backend(2).weight());
        assertEquals(4, pool.backends().get(2).weight());
        assertTrue(pool.isTableCurrent());
        final double[] shares = pool.hashShares();
        assertEquals(4.0 / 6, shares[2], 0.02, "weight 4 of 6");
        final int[] counts = firstChoices(pool, 60_000);
        assertTrue(counts[2] > 35_000 && counts[2] < 45_000, "about 4/6 of 60000: " + counts[2]);
        assertThrows(IllegalArgumentException.class, () -> pool.setWeight(0, 0));
        assertThrows(IllegalArgumentException.class, () -> pool.setWeight(0, Backend.MAX_WEIGHT + 1));
    }
}
