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

    private static List<Backend> fiveBackends()
    {
        final List<Backend> backends = new ArrayList<>();
        for (int i = 1; i <= 5; i++)
        {
            backends.add(Backend.of("10.0.0." + i + ":443"));
        }
        return backends;
    }

    /**
     * Regression vectors pinning the whole chain (id hash, offset, skip, fill order, slot reduction): a router
     * host that disagrees on any of these would send a client somewhere else than its peers. At M = 65,537,
     * the size every pool had before sizes scaled (now chosen explicitly).
     */
    @Test
    void shouldMatchFixedVectorsForFiveBackendsInAnyOrder()
    {
        final List<Backend> backends = fiveBackends();
        final BalancerOptions options = BalancerOptions.defaults().withMaglevTableSize(65_537);
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, backends, options);
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
        for (final BackendPool candidate : List.of(pool, BackendPool.create(Algorithm.MAGLEV, reversed, options)))
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

    /** The same five backends at their default size (4,099: the smallest listed prime >= 100 * 5 * 5). */
    @Test
    void shouldMatchFixedVectorsForFiveBackendsAtTheDefaultSize()
    {
        final List<Backend> backends = fiveBackends();
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, backends);
        final int[] entries = ((MaglevTable)pool.state().table).entries();
        assertEquals(4_099, entries.length);
        assertArrayEquals(new int[]{ 0, 1, 4, 0, 1, 0, 0, 0, 4, 2, 3, 2, 0, 4, 4, 2 }, Arrays.copyOf(entries, 16));
        final int[] counts = new int[5];
        for (final int entry : entries)
        {
            counts[entry]++;
        }
        assertArrayEquals(new int[]{ 820, 820, 820, 820, 819 }, counts);

        final String[][] vectors = {
            { "203.0.113.7", "10.0.0.4:443", "10.0.0.1:443", "10.0.0.3:443" },
            { "198.51.100.23", "10.0.0.5:443", "10.0.0.4:443", "10.0.0.2:443" },
            { "a.example.test", "10.0.0.2:443", "10.0.0.3:443", "10.0.0.1:443" },
            { "b.example.test", "10.0.0.3:443", "10.0.0.1:443", "10.0.0.5:443" },
        };
        final List<Backend> reversed = new ArrayList<>(backends);
        Collections.reverse(reversed);
        for (final BackendPool candidate : List.of(pool, BackendPool.create(Algorithm.MAGLEV, reversed)))
        {
            for (final String[] vector : vectors)
            {
                final long hash = Hash.hash(vector[0].getBytes(StandardCharsets.US_ASCII));
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    assertEquals(vector[1 + attempt], candidate.backend(candidate.pick(hash, attempt)).id(),
                        vector[0] + " attempt " + attempt);
                }
            }
        }
        final BackendPool two = BackendPool.create(Algorithm.MAGLEV, backends.subList(0, 2));
        final int[] twoEntries = ((MaglevTable)two.state().table).entries();
        assertEquals(521, twoEntries.length);
        assertArrayEquals(new int[]{ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, Arrays.copyOf(twoEntries, 16));
        assertEquals("10.0.0.2:443",
            two.backend(two.pick(Hash.hashAddress(new byte[]{ (byte)203, 0, 113, 7 }, -1), 0)).id());
    }

    /**
     * The paper's balance at the default sizes, for every pool of 1 to 40 backends and larger ones up to 1,000:
     * max/mean slots within 1% wherever the default is at least 100 N (every N up to 655), and within the
     * fill's bound {@code 1 + N / M} (1.5% at 1,000 backends and M = 65,537, as before sizes scaled) above.
     */
    @Test
    void shouldBalanceEveryPoolOfUpToOneThousandBackendsAtTheDefaultSize()
    {
        final List<Integer> counts = new ArrayList<>();
        for (int n = 1; n <= 40; n++)
        {
            counts.add(n);
        }
        counts.addAll(List.of(50, 64, 99, 100, 101, 250, 500, 655, 656, 999, 1_000));
        for (final int n : counts)
        {
            final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, BackendPoolContractTest.backends(n));
            final int size = pool.tableOptions().maglevTableSize();
            assertEquals(BalancerOptions.defaultMaglevTableSize(pool.backends()), size);
            assertTrue(size >= Math.min(100L * n, BalancerOptions.DEFAULT_MAGLEV_TABLE_SIZE), "n " + n + " M " + size);
            if (n == 1)
            {
                continue;
            }
            final int[] slots = new int[n];
            final int[] entries = ((MaglevTable)pool.state().table).entries();
            assertEquals(size, entries.length);
            for (final int entry : entries)
            {
                slots[entry]++;
            }
            final double mean = size / (double)n;
            final double max = Arrays.stream(slots).max().orElseThrow() / mean;
            final double min = Arrays.stream(slots).min().orElseThrow() / mean;
            final double bound = size >= 100L * n ? 1.01 : 1 + n / (double)size;
            assertTrue(max <= bound && min >= 2 - bound, "n " + n + " M " + size + " max/mean " + max + " min/mean " + min);
        }
    }

    /** Weighted pools get the size of as many equal backends as their total weight over the lightest. */
    @Test
    void shouldBalanceAWeightedPoolAtItsDefaultSize()
    {
        final List<Backend> weighted = List.of(new Backend("a:1", 1), new Backend("b:1", 3), new Backend("c:1", 2));
        final BackendPool pool = BackendPool.create(Algorithm.MAGLEV, weighted);
        assertEquals(4_099, pool.tableOptions().maglevTableSize(), "6 equivalent backends: >= 3,600");
        final double[] shares = pool.hashShares();
        final double[] ideal = { 1 / 6.0, 3 / 6.0, 2 / 6.0 };
        for (int i = 0; i < 3; i++)
        {
            assertEquals(1.0, shares[i] / ideal[i], 0.01, weighted.get(i) + " share " + shares[i]);
        }
    }

    /**
     * When one backend of a small pool goes down, the keys that move are close to its 1/N share at the default
     * size, as they were at 65,537 (the balance rule alone, M >= 100 N, moved 1.29x at N = 10 and 2.3x at
     * N = 100 in bench-results/balancer.md).
     */
    @Test
    void shouldMoveCloseToOneNthWhenOneBackendOfASmallPoolGoesDown()
    {
        final int keys = 50_000;
        for (final int n : new int[]{ 3, 4, 5, 7, 10, 13, 18, 19, 25 })
        {
            final BackendPool before = BackendPool.create(Algorithm.MAGLEV, BackendPoolContractTest.backends(n));
            final BackendPool after = BackendPool.create(Algorithm.MAGLEV, BackendPoolContractTest.backends(n));
            for (final int leaving : new int[]{ 0, n / 2, n - 1 })
            {
                after.markDown(leaving);
                assertEquals(before.tableOptions().maglevTableSize(), after.tableOptions().maglevTableSize());
                int moved = 0;
                for (int i = 0; i < keys; i++)
                {
                    final long key = BackendPoolContractTest.key(i);
                    if (before.pick(key, 0) != after.pick(key, 0))
                    {
                        moved++;
                    }
                }
                final double factor = moved / (double)keys * n;
                assertTrue(factor <= 1.25, "n " + n + " leaving " + leaving + ": " + factor + "x of 1/N");
                after.markUp(leaving);
            }
        }
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
