package io.gatehouse.balancer;

import static io.gatehouse.balancer.BackendPool.NO_BACKEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every algorithm of {@link BackendPool} promises. One subclass per {@link Algorithm}.
 */
@Timeout(30)
abstract class BackendPoolContractTest
{
    private static final int KEYS = 100_000;

    abstract Algorithm algorithm();

    /**
     * @return the largest accepted share of keys that move when one of N backends leaves or joins, as a
     *     multiple of the ideal 1/N; {@code NaN} for algorithms without affinity.
     */
    abstract double maxDisruptionFactor();

    /**
     * @return the largest accepted relative error of a weighted backend's share of picks.
     */
    abstract double weightTolerance();

    BalancerOptions options()
    {
        return BalancerOptions.defaults();
    }

    BackendPool pool(final List<Backend> backends)
    {
        return BackendPool.create(algorithm(), backends, options());
    }

    BackendPool pool(final List<Backend> backends, final BalancerOptions options)
    {
        return BackendPool.create(algorithm(), backends, options);
    }

    static List<Backend> backends(final int count)
    {
        final List<Backend> backends = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            backends.add(Backend.of("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + ":443"));
        }
        return backends;
    }

    static long key(final long i)
    {
        return Hash.mix(i, 0x5EED);
    }

    @Test
    void shouldGiveTheSameBackendsWhateverTheOrderOfTheListAndTheRun()
    {
        final List<Backend> canonical = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            canonical.add(new Backend("backend-" + i + ".example.test:8443", 1 + (i % 4)));
        }
        final String[][] expected = answers(pool(canonical));
        final Random random = new Random(42);
        for (int run = 0; run < 5; run++)
        {
            final List<Backend> shuffled = new ArrayList<>(canonical);
            Collections.shuffle(shuffled, random);
            final String[][] actual = answers(pool(shuffled));
            for (int i = 0; i < expected.length; i++)
            {
                for (int attempt = 0; attempt < expected[i].length; attempt++)
                {
                    assertEquals(expected[i][attempt], actual[i][attempt], "key " + i + " attempt " + attempt);
                }
            }
        }
    }

    private static String[][] answers(final BackendPool pool)
    {
        final String[][] ids = new String[2_000][3];
        for (int i = 0; i < ids.length; i++)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                final int index = pool.pick(key(i), attempt);
                ids[i][attempt] = pool.backend(index).id();
            }
        }
        return ids;
    }

    @Test
    void shouldGiveEachBackendAShareInProportionToItsWeight()
    {
        final int[] weights = { 1, 2, 3, 4, 10 };
        final List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < weights.length; i++)
        {
            backends.add(new Backend("weighted-" + i, weights[i]));
        }
        final BackendPool pool = pool(backends);
        final long[] counts = new long[weights.length];
        for (int i = 0; i < KEYS; i++)
        {
            final int index = pool.pick(key(i), 0);
            counts[index]++;
            pool.onConnectionOpened(index);
        }
        for (int i = 0; i < weights.length; i++)
        {
            final double expectedShare = weights[i] / 20.0;
            final double share = counts[i] / (double)KEYS;
            assertTrue(Math.abs(share - expectedShare) / expectedShare <= weightTolerance(),
                "backend weight " + weights[i] + " share " + share + " expected " + expectedShare);
        }
    }

    @Test
    void shouldMoveFewKeysWhenOneBackendLeaves()
    {
        assumeTrue(algorithm().isConsistent());
        final int count = 50;
        final List<Backend> all = backends(count);
        final BackendPool before = pool(all);
        for (final int leaving : new int[]{ 0, 17, 49 })
        {
            final List<Backend> rest = new ArrayList<>(all);
            rest.remove(leaving);
            final double factor = disruption(before, pool(rest, before.tableOptions())) * count;
            assertTrue(factor <= maxDisruptionFactor(), "disruption " + factor + "x of 1/N");
        }
    }

    @Test
    void shouldMoveFewKeysWhenOneBackendJoins()
    {
        assumeTrue(algorithm().isConsistent());
        final int count = 50;
        final List<Backend> all = backends(count + 1);
        final BackendPool before = pool(all.subList(0, count));
        final double factor = disruption(before, pool(all, before.tableOptions())) * (count + 1);
        assertTrue(factor <= maxDisruptionFactor(), "disruption " + factor + "x of 1/N");
    }

    static double disruption(final BackendPool before, final BackendPool after)
    {
        int moved = 0;
        for (int i = 0; i < KEYS; i++)
        {
            final long key = key(i);
            if (!before.backend(before.pick(key, 0)).id().equals(after.backend(after.pick(key, 0)).id()))
            {
                moved++;
            }
        }
        return moved / (double)KEYS;
    }

    @Test
    void shouldMoveOnlyTheKeysOfADownBackendUntilTheRebuildLands()
    {
        assumeTrue(algorithm().isConsistent());
        final Queue<Runnable> rebuilds = new ArrayDeque<>();
        final List<Backend> all = backends(20);
        final BackendPool pool = pool(all, options().withRebuildExecutor(rebuilds::add));
        final int[] firstChoice = new int[10_000];
        for (int i = 0; i < firstChoice.length; i++)
        {
            firstChoice[i] = pool.pick(key(i), 0);
        }

        pool.markDown(5);
        assertFalse(pool.isTableCurrent());
        int moved = 0;
        for (int i = 0; i < firstChoice.length; i++)
        {
            final int now = pool.pick(key(i), 0);
            if (firstChoice[i] == 5)
            {
                assertNotEquals(5, now);
                assertTrue(now >= 0 && now < 20);
                moved++;
            }
            else
            {
                assertEquals(firstChoice[i], now, "key " + i + " should stay");
            }
        }
        assertTrue(moved > 0);

        rebuilds.remove().run();
        assertTrue(pool.isTableCurrent());
        final List<Backend> without = new ArrayList<>(all);
        without.remove(5);
        final BackendPool rebuiltFromScratch = pool(without, pool.tableOptions());
        for (int i = 0; i < firstChoice.length; i++)
        {
            assertEquals(
                rebuiltFromScratch.backend(rebuiltFromScratch.pick(key(i), 0)).id(),
                pool.backend(pool.pick(key(i), 0)).id());
        }
    }

    @Test
    void shouldNeverAnswerADownBackendBeforeOrAfterTheRebuild()
    {
        final Queue<Runnable> rebuilds = new ArrayDeque<>();
        final BackendPool pool = pool(backends(10), options().withRebuildExecutor(rebuilds::add));
        pool.markDown(3);
        pool.markDown(7);
        assertEquals(8, pool.healthyCount());
        assertAnswersAvoid(pool, 3, 7);
        while (!rebuilds.isEmpty())
        {
            rebuilds.remove().run();
        }
        assertTrue(pool.isTableCurrent());
        assertAnswersAvoid(pool, 3, 7);
    }

    private static void assertAnswersAvoid(final BackendPool pool, final int downA, final int downB)
    {
        for (int i = 0; i < 10_000; i++)
        {
            for (int attempt = 0; attempt < 8; attempt++)
            {
                final int index = pool.pick(key(i), attempt);
                assertTrue(index >= 0 && index < pool.size(), "attempt " + attempt + " gave " + index);
                assertTrue(index != downA && index != downB, "down backend " + index);
                assertTrue(pool.isUp(index));
            }
            assertEquals(NO_BACKEND, pool.pick(key(i), 9));
        }
    }

    @Test
    void shouldGiveADifferentHealthyBackendOnEachAttempt()
    {
        final BackendPool pool = pool(backends(8));
        pool.markDown(2);
        pool.markDown(6);
        final int healthy = pool.healthyCount();
        assertEquals(6, healthy);
        for (int i = 0; i < 1_000; i++)
        {
            final long key = key(i);
            final Set<Integer> retries = new HashSet<>();
            final int first = pool.pick(key, 0);
            assertTrue(pool.isUp(first));
            for (int attempt = 1; attempt < healthy; attempt++)
            {
                final int index = pool.pick(key, attempt);
                assertTrue(pool.isUp(index), "attempt " + attempt);
                assertTrue(retries.add(index), "attempt " + attempt + " repeats " + index);
                if (algorithm().isConsistent())
                {
                    assertNotEquals(first, index, "attempt " + attempt + " repeats the first choice");
                    assertEquals(index, pool.pick(key, attempt), "attempt " + attempt + " is deterministic");
                }
            }
            assertEquals(NO_BACKEND, pool.pick(key, algorithm().isConsistent() ? healthy : healthy + 1));
            assertEquals(NO_BACKEND, pool.pick(key, -1));
        }
    }

    @Test
    void shouldReachEveryHealthyBackendBeforeAnsweringNoBackend()
    {
        final BackendPool pool = pool(backends(2));
        for (int i = 0; i < 1_000; i++)
        {
            final long key = key(i);
            final Set<Integer> reached = new HashSet<>();
            int index = pool.pick(key, 0);
            for (int attempt = 1; index != NO_BACKEND; attempt++)
            {
                reached.add(index);
                index = pool.pick(key, attempt);
            }
            assertEquals(Set.of(0, 1), reached, "key " + i + ": a dead first choice must leave the other backend reachable");
        }
    }

    @Test
    void shouldGiveEveryHealthyBackendOnceOverAllAttemptsOfALargePool()
    {
        final BackendPool pool = pool(backends(150));
        for (final int down : new int[]{ 3, 64, 65, 149 })
        {
            pool.markDown(down);
        }
        final int healthy = pool.healthyCount();
        for (int i = 0; i < 40; i++)
        {
            final long key = key(i);
            final Set<Integer> given = new HashSet<>();
            for (int attempt = 0; attempt < healthy; attempt++)
            {
                final int index = pool.pick(key, attempt);
                assertTrue(index >= 0 && pool.isUp(index), "attempt " + attempt + " gave " + index);
                if (attempt > 0 || algorithm().isConsistent())
                {
                    assertTrue(given.add(index), "attempt " + attempt + " repeats " + index);
                }
            }
            assertEquals(NO_BACKEND, pool.pick(key, algorithm().isConsistent() ? healthy : healthy + 1));
            if (algorithm().isConsistent())
            {
                assertEquals(healthy, given.size());
            }
        }
    }

    @Test
    void shouldAnswerNoBackendForAnEmptyPool()
    {
        final BackendPool pool = pool(List.of());
        assertEquals(0, pool.size());
        assertEquals(0, pool.healthyCount());
        for (int attempt = -1; attempt < 3; attempt++)
        {
            assertEquals(NO_BACKEND, pool.pick(key(attempt), attempt));
        }
    }

    @Test
    void shouldAlwaysAnswerTheOnlyBackendWhileItIsUp()
    {
        final BackendPool pool = pool(List.of(Backend.of("127.0.0.1:9443")));
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(0, pool.pick(key(i), 0));
            assertEquals(NO_BACKEND, pool.pick(key(i), 1));
        }
        pool.markDown(0);
        assertEquals(NO_BACKEND, pool.pick(key(1), 0));
        pool.markUp(0);
        assertEquals(0, pool.pick(key(1), 0));
    }

    @Test
    void shouldAnswerNoBackendWhenAllAreDownAndComeBackWithTheFirstUp()
    {
        final BackendPool pool = pool(backends(6));
        for (int i = 0; i < 6; i++)
        {
            pool.markDown(i);
        }
        assertEquals(0, pool.healthyCount());
        for (int i = 0; i < 1_000; i++)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                assertEquals(NO_BACKEND, pool.pick(key(i), attempt));
            }
        }
        pool.markUp(4);
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(4, pool.pick(key(i), 0));
            assertEquals(NO_BACKEND, pool.pick(key(i), 1));
        }
    }

    @Test
    void shouldServeTenThousandBackends()
    {
        final int count = 10_000;
        final BackendPool pool = pool(backends(count));
        final boolean[] hit = new boolean[count];
        int distinct = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final int index = pool.pick(key(i), 0);
            assertTrue(index >= 0 && index < count);
            if (!hit[index])
            {
                hit[index] = true;
                distinct++;
            }
        }
        assertTrue(distinct > 0.8 * count, "only " + distinct + " backends ever picked");
        final int second = pool.pick(key(1), 1);
        assertTrue(second >= 0 && second < count);
        if (algorithm().isConsistent())
        {
            assertNotEquals(pool.pick(key(1), 0), second);
        }
        pool.markDown(pool.pick(key(2), 0));
        assertEquals(count - 1, pool.healthyCount());
        assertTrue(pool.isUp(pool.pick(key(2), 0)));
    }

    @Test
    void shouldAnswerValidIndexesWhileTablesAreRepublished() throws Exception
    {
        final int count = 16;
        final BackendPool pool = pool(
            backends(count), options().withRingSize(1_024, BalancerOptions.DEFAULT_RING_MAX_SIZE));
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong picks = new AtomicLong();
        final int readers = 2;
        final CountDownLatch started = new CountDownLatch(readers);
        final List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++)
        {
            final int seed = r;
            final Thread thread = new Thread(() ->
            {
                started.countDown();
                long i = seed * 1_000_000_000L;
                try
                {
                    while (running.get())
                    {
                        final int attempt = (int)(i & 3);
                        final int index = pool.pick(key(i), attempt);
                        if (index != NO_BACKEND)
                        {
                            if (index < 0 || index >= count)
                            {
                                throw new AssertionError("pick gave " + index);
                            }
                            pool.onConnectionOpened(index);
                            pool.onConnectionClosed(index);
                        }
                        i++;
                        picks.incrementAndGet();
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "picker-" + r);
            threads.add(thread);
            thread.start();
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        final Random random = new Random(7);
        for (int change = 0; change < 100; change++)
        {
            final int index = random.nextInt(count);
            if (pool.isUp(index))
            {
                pool.markDown(index);
            }
            else
            {
                pool.markUp(index);
            }
        }
        for (int i = 0; i < count; i++)
        {
            pool.markDown(i);
        }
        final long picksAtAllDown = picks.get();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (picks.get() < picksAtAllDown + 1_000 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.onSpinWait();
        }
        running.set(false);
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertNull(failure.get());
        assertTrue(picks.get() > picksAtAllDown);
        assertEquals(NO_BACKEND, pool.pick(key(1), 0));
        for (int i = 0; i < count; i++)
        {
            assertEquals(0, pool.activeConnections(i));
        }
    }

    @Test
    void shouldReportHashSharesThatSumToOneAndMatchThePicks()
    {
        final List<Backend> backends = new ArrayList<>(backends(9));
        backends.add(new Backend("heavy:443", 3));
        final BackendPool pool = pool(backends);
        final double[] shares = pool.hashShares();
        assertEquals(1.0, java.util.Arrays.stream(shares).sum(), 1e-9);
        assertEquals(3.0 / 12, shares[9], 0.05);
        final double[] picked = new double[shares.length];
        for (int i = 0; i < KEYS; i++)
        {
            picked[pool.pick(key(i), 0)] += 1.0 / KEYS;
        }
        if (algorithm() != Algorithm.LEAST_CONN_P2C)
        {
            for (int i = 0; i < shares.length; i++)
            {
                assertEquals(shares[i], picked[i], 0.01, "backend " + i);
            }
        }
        pool.markDown(9);
        assertEquals(0.0, pool.hashShares()[9]);
        assertEquals(0, pool(List.of()).hashShares().length);
    }

    @Test
    void shouldRejectDuplicateIdsAndBadIndexes()
    {
        assertThrows(IllegalArgumentException.class,
            () -> pool(List.of(Backend.of("10.0.0.1:443"), new Backend("10.0.0.1:443", 2))));
        final BackendPool pool = pool(backends(3));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.markDown(3));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.markUp(-1));
    }

    @Test
    void shouldKeepTheCallersOrderForIndexes()
    {
        final List<Backend> list = List.of(Backend.of("c:1"), Backend.of("a:1"), Backend.of("b:1"));
        final BackendPool pool = pool(list);
        assertEquals(list, pool.backends());
        assertEquals(3, pool.size());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(list.get(i), pool.backend(i));
        }
    }
}
