package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MaglevTableTest
{
    /**
     * The worked example of the NSDI 2016 paper (s3.4, Table 1): M = 7; B0 offset 3 skip 4 (permutation
     * 3 0 4 1 5 2 6), B1 offset 0 skip 2 (0 2 4 6 1 3 5), B2 offset 3 skip 1 (3 4 5 6 0 1 2). The table is
     * B1 B0 B1 B0 B2 B2 B0; without B1, Pseudocode 1 gives B0 B0 B0 B0 B2 B2 B2 (slots 0 and 2 move).
     */
    @Test
    void shouldFillThePapersExampleTable()
    {
        final int[] one = { 1, 1, 1 };
        assertArrayEquals(
            new int[]{ 1, 0, 1, 0, 2, 2, 0 },
            MaglevTable.populate(7, new int[]{ 3, 0, 3 }, new int[]{ 4, 2, 1 }, one, new int[]{ 0, 1, 2 }));
        assertArrayEquals(
            new int[]{ 0, 0, 0, 0, 2, 2, 2 },
            MaglevTable.populate(7, new int[]{ 3, 3 }, new int[]{ 4, 1 }, new int[]{ 1, 1 }, new int[]{ 0, 2 }));
    }

    @Test
    void shouldGiveSlotsInProportionToWeight()
    {
        final int size = 65_537;
        final int[] entries = MaglevTable.populate(
            size, new int[]{ 5, 100, 2000 }, new int[]{ 7, 11, 13 }, new int[]{ 3, 1, 6 }, new int[]{ 0, 1, 2 });
        final int[] counts = new int[3];
        for (final int entry : entries)
        {
            counts[entry]++;
        }
        assertEquals(size, counts[0] + counts[1] + counts[2]);
        assertEquals(size * 3 / 10.0, counts[0], size * 0.001);
        assertEquals(size * 1 / 10.0, counts[1], size * 0.001);
        assertEquals(size * 6 / 10.0, counts[2], size * 0.001);
    }

    /**
     * Regression vectors pinning the whole chain (id hash, offset, skip, fill order, slot reduction): a router
     * host that disagrees on any of these would send a client somewhere else than its peers.
     */
    @Test
    void shouldMatchFixedVectorsForFiveBackendsInAnyOrder()
    {
        final List<Backend> backends = new ArrayList<>();
        for (int i = 1; i <= 5; i++)
        {
            backends.add(Backend.of("10.0.0." + i + ":443"));
        }
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, backends);
        final int[] entries = ((MaglevTable)pool.state().table).entries();
        assertEquals(65_537, entries.length);
        assertArrayEquals(new int[]{ 1, 3, 2, 1, 0, 3, 1, 2, 4, 1, 3, 2, 1, 3, 1, 1 }, Arrays.copyOf(entries, 16));
        final int[] counts = new int[5];
        for (final int entry : entries)
        {
            counts[entry]++;
        }
        assertArrayEquals(new int[]{ 13_108, 13_108, 13_107, 13_107, 13_107 }, counts);

        final String[][] vectors = {
            { "203.0.113.7", "c80153a2410eb0ff", "10.0.0.2:443", "10.0.0.4:443", "10.0.0.1:443" },
            { "198.51.100.23", "1963fa0ade1b34eb", "10.0.0.2:443", "10.0.0.4:443", "10.0.0.5:443" },
            { "a.example.test", "204dccb9d99a3673", "10.0.0.5:443", "10.0.0.3:443", "10.0.0.1:443" },
            { "b.example.test", "f0311233ecd685d0", "10.0.0.5:443", "10.0.0.1:443", "10.0.0.3:443" },
        };
        final List<Backend> reversed = new ArrayList<>(backends);
        Collections.reverse(reversed);
        for (final BackendPool candidate : List.of(pool, BackendPool.create(Algorithm.MAGLEV, reversed)))
        {
            for (final String[] vector : vectors)
            {
                final long hash = Hash.hash(vector[0].getBytes(StandardCharsets.US_ASCII));
                assertEquals(Long.parseUnsignedLong(vector[1], 16), hash, vector[0]);
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    assertEquals(vector[2 + attempt], candidate.backend(candidate.pick(hash, attempt)).id(),
                        vector[0] + " attempt " + attempt);
                }
            }
        }
        assertEquals("10.0.0.3:443",
            pool.backend(pool.pick(Hash.hashAddress(new byte[]{ (byte)203, 0, 113, 7 }, -1), 0)).id());
    }

    @Test
    void shouldBalanceOneHundredBackendsWithinTwoPercent()
    {
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, BackendPoolContractTest.backends(100));
        final int[] counts = new int[100];
        for (final int entry : ((MaglevTable)pool.state().table).entries())
        {
            counts[entry]++;
        }
        final int max = Arrays.stream(counts).max().orElseThrow();
        assertTrue(max / (65_537 / 100.0) <= 1.02, "max/mean " + max / 655.37);
    }

    @Test
    void shouldUseALargerPrimeWhenChosen()
    {
        final int size = BalancerOptions.maglevTableSizeFor(1_000);
        assertEquals(131_101, size);
        final BackendPool pool = BackendPool.create(
            Algorithm.MAGLEV,
            BackendPoolContractTest.backends(1_000),
            BalancerOptions.defaults().withMaglevTableSize(size));
        assertEquals(size, ((MaglevTable)pool.state().table).entries().length);
    }
}
