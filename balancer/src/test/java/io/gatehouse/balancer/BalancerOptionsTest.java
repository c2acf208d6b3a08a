package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BalancerOptionsTest
{
    @Test
    void shouldOfferOnlyPrimeTableSizes()
    {
        for (final int size : BalancerOptions.MAGLEV_TABLE_SIZES)
        {
            assertTrue(BigInteger.valueOf(size).isProbablePrime(64), size + " is not prime");
            assertEquals(size, BalancerOptions.defaults().withMaglevTableSize(size).maglevTableSize());
        }
        assertEquals(BalancerOptions.SCALED, BalancerOptions.defaults().maglevTableSize());
        assertEquals(BalancerOptions.SCALED, BalancerOptions.defaults().ringMinSize());
        assertEquals(257, BalancerOptions.maglevTableSizeFor(1));
        assertEquals(16_411, BalancerOptions.maglevTableSizeFor(100));
        assertEquals(65_537, BalancerOptions.maglevTableSizeFor(655));
        assertEquals(131_101, BalancerOptions.maglevTableSizeFor(656), "as before from 656 backends up");
        assertEquals(16_777_259, BalancerOptions.maglevTableSizeFor(1_000_000));
    }

    /** {backends, default Maglev size}: the smallest listed prime >= 100 * n * n, at most 65,537. */
    @Test
    void shouldScaleTheDefaultMaglevSizeWithTheSquareOfTheBackendCount()
    {
        final int[][] expected = {
            { 0, 257 }, { 1, 257 }, { 2, 521 }, { 3, 1_031 }, { 4, 2_053 }, { 5, 4_099 }, { 6, 4_099 },
            { 7, 8_209 }, { 9, 8_209 }, { 10, 16_411 }, { 12, 16_411 }, { 13, 32_771 }, { 18, 32_771 },
            { 19, 65_537 }, { 100, 65_537 }, { 1_000, 65_537 }, { 100_000, 65_537 } };
        for (final int[] row : expected)
        {
            final List<Backend> backends = BackendPoolContractTest.backends(row[0]);
            assertEquals(row[1], BalancerOptions.defaultMaglevTableSize(backends), row[0] + " backends");
            assertEquals(row[1], BackendPool.create(Algorithm.MAGLEV, backends).tableOptions().maglevTableSize());
        }
        final List<Backend> weighted = List.of(new Backend("a:1", 1), new Backend("b:1", 1000));
        assertEquals(1_001, BalancerOptions.equivalentBackendCount(weighted));
        assertEquals(65_537, BalancerOptions.defaultMaglevTableSize(weighted));
        assertEquals(2, BalancerOptions.equivalentBackendCount(List.of(new Backend("a:1", 5), new Backend("b:1", 5))));
        assertEquals(3, BalancerOptions.equivalentBackendCount(List.of(new Backend("a:1", 2), new Backend("b:1", 3))));
    }

    @Test
    void shouldHonourChosenSizesWhateverThePool()
    {
        final BalancerOptions chosen = BalancerOptions.defaults().withMaglevTableSize(65_537).withRingSize(65_536, 1 << 23);
        for (final int n : new int[]{ 1, 2, 5, 1_000 })
        {
            final BackendPool maglev = BackendPool.create(Algorithm.MAGLEV, BackendPoolContractTest.backends(n), chosen);
            assertEquals(65_537, maglev.tableOptions().maglevTableSize());
            assertEquals(65_536, maglev.tableOptions().ringMinSize());
            assertSame(chosen, maglev.options());
            if (n > 1)
            {
                assertEquals(1.0, Arrays.stream(maglev.hashShares()).sum(), 1e-9);
                assertEquals(65_537, ((MaglevTable)maglev.state().table).entries().length);
            }
        }
        final BalancerOptions resolved = BalancerOptions.defaults().resolvedFor(BackendPoolContractTest.backends(2));
        assertEquals(521, resolved.maglevTableSize());
        assertEquals(2_048, resolved.ringMinSize());
        assertSame(resolved, resolved.resolvedFor(BackendPoolContractTest.backends(1_000)), "nothing left to scale");
    }

    /** The size comes from the configured backends: health and weight changes rebuild at the same size. */
    @Test
    void shouldKeepTheTableSizeWhileHealthAndWeightsChange()
    {
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, BackendPoolContractTest.backends(3));
        assertEquals(1_031, ((MaglevTable)pool.state().table).entries().length);
        pool.markDown(0);
        assertEquals(1_031, ((MaglevTable)pool.state().table).entries().length, "2 healthy would be 521");
        pool.setWeight(1, 1000);
        assertEquals(1_031, ((MaglevTable)pool.state().table).entries().length);
        pool.markUp(0);
        assertEquals(1_031, ((MaglevTable)pool.state().table).entries().length);
        assertEquals(1_031, pool.tableOptions().maglevTableSize());
    }

    @Test
    void shouldRejectBadSizes()
    {
        final BalancerOptions options = BalancerOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> options.withMaglevTableSize(65_536));
        assertThrows(IllegalArgumentException.class, () -> options.withMaglevTableSize(1));
        assertThrows(IllegalArgumentException.class, () -> options.withMaglevTableSize(BalancerOptions.SCALED));
        assertThrows(IllegalArgumentException.class, () -> options.withRingSize(0, 10));
        assertThrows(IllegalArgumentException.class, () -> options.withRingSize(100, 10));
        assertThrows(NullPointerException.class, () -> options.withRebuildExecutor(null));
    }

    @Test
    void shouldRejectBadBackends()
    {
        assertThrows(IllegalArgumentException.class, () -> new Backend("", 1));
        assertThrows(IllegalArgumentException.class, () -> new Backend(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new Backend("a:1", 0));
        assertThrows(IllegalArgumentException.class, () -> new Backend("a:1", 1001));
        assertEquals(1000, new Backend("a:1", 1000).weight());
    }
}
