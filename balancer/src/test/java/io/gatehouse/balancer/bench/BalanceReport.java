package io.gatehouse.balancer.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.gatehouse.balancer.Algorithm;
import io.gatehouse.balancer.Backend;
import io.gatehouse.balancer.BackendPool;
import io.gatehouse.balancer.BalancerOptions;
import io.gatehouse.balancer.Hash;

/**
 * Prints, as Markdown tables, the balance (largest share over mean share, from the tables' exact
 * {@link BackendPool#hashShares()}) and the disruption when one backend of N leaves (marked down in a pool
 * of all N, so its table is rebuilt at the pool's size; share of 2,000,000 sampled keys whose backend
 * changes, as a multiple of the ideal 1/N; mean and worst over the leavers tried), at the default sizes
 * (which scale with N) and at chosen ones. Not a timed test: run it by hand, see
 * {@code bench-results/balancer.md}.
 */
public final class BalanceReport
{
    private static final int KEYS = 2_000_000;

    private BalanceReport()
    {
    }

    public static void main(final String[] args)
    {
        final long[] keys = new long[KEYS];
        for (int i = 0; i < KEYS; i++)
        {
            keys[i] = Hash.mix(i, 0xB417);
        }
        final BalancerOptions defaults = BalancerOptions.defaults();
        final BalancerOptions envoyRing = defaults.withRingSize(1_024, BalancerOptions.DEFAULT_RING_MAX_SIZE);
        final BalancerOptions oldRing = defaults.withRingSize(65_536, BalancerOptions.DEFAULT_RING_MAX_SIZE);
        final BalancerOptions oldMaglev = defaults.withMaglevTableSize(65_537);

        System.out.println("| algorithm | options | N | weights | max/mean share | min/mean share |");
        System.out.println("|---|---|---|---|---|---|");
        for (final int n : new int[]{ 2, 5, 10, 20, 100, 1_000 })
        {
            balance(Algorithm.MAGLEV, defaults, "default M=" + maglevSize(n, false), n, false);
        }
        for (final int n : new int[]{ 10, 100, 1_000 })
        {
            balance(Algorithm.MAGLEV, oldMaglev, "M=65537", n, false);
        }
        balance(Algorithm.MAGLEV, defaults.withMaglevTableSize(131_101), "M=131101", 1_000, false);
        balance(Algorithm.MAGLEV, defaults.withMaglevTableSize(BalancerOptions.maglevTableSizeFor(10_000)),
            "M=" + BalancerOptions.maglevTableSizeFor(10_000), 10_000, false);
        balance(Algorithm.MAGLEV, defaults, "default M=" + maglevSize(5, true), 5, true);
        balance(Algorithm.MAGLEV, defaults, "default M=" + maglevSize(100, true), 100, true);
        for (final int n : new int[]{ 10, 100, 1_000 })
        {
            balance(Algorithm.RING_HASH, envoyRing, "ring min 1024 (Envoy's default)", n, false);
        }
        for (final int n : new int[]{ 2, 10, 100, 1_000 })
        {
            balance(Algorithm.RING_HASH, defaults, "default ring min " + ringMin(n, false), n, false);
        }
        for (final int n : new int[]{ 2, 10, 100 })
        {
            balance(Algorithm.RING_HASH, oldRing, "ring min 65536", n, false);
        }
        balance(Algorithm.RING_HASH, defaults, "default ring min " + ringMin(100, true), 100, true);
        balance(Algorithm.ROUND_ROBIN, defaults, "-", 100, true);

        System.out.println();
        System.out.println("| algorithm | options | N | leavers tried | disruption mean (x 1/N) | worst (x 1/N) |");
        System.out.println("|---|---|---|---|---|---|");
        for (final int n : new int[]{ 3, 5, 10, 20, 50, 100, 1_000 })
        {
            disruption(Algorithm.MAGLEV, defaults, "default M=" + maglevSize(n, false), n, keys);
            if (maglevSize(n, false) != BalancerOptions.maglevTableSizeFor(n))
            {
                disruption(Algorithm.MAGLEV, defaults.withMaglevTableSize(BalancerOptions.maglevTableSizeFor(n)),
                    "M=" + BalancerOptions.maglevTableSizeFor(n) + " (>= 100 N only)", n, keys);
            }
            if (maglevSize(n, false) != 65_537)
            {
                disruption(Algorithm.MAGLEV, oldMaglev, "M=65537", n, keys);
            }
        }
        disruption(Algorithm.MAGLEV, defaults.withMaglevTableSize(131_101), "M=131101", 100, keys);
        disruption(Algorithm.MAGLEV, defaults.withMaglevTableSize(131_101), "M=131101", 1_000, keys);
        disruption(Algorithm.MAGLEV, defaults.withMaglevTableSize(1_048_583), "M=1048583", 1_000, keys);
        for (final int n : new int[]{ 10, 100, 1_000 })
        {
            disruption(Algorithm.RING_HASH, envoyRing, "ring min 1024 (Envoy's default)", n, keys);
        }
        for (final int n : new int[]{ 3, 10, 100, 1_000 })
        {
            disruption(Algorithm.RING_HASH, defaults, "default ring min " + ringMin(n, false), n, keys);
        }
        for (final int n : new int[]{ 3, 10, 100 })
        {
            disruption(Algorithm.RING_HASH, oldRing, "ring min 65536", n, keys);
        }
    }

    private static int maglevSize(final int n, final boolean weighted)
    {
        return BalancerOptions.defaultMaglevTableSize(backends(n, weighted));
    }

    private static int ringMin(final int n, final boolean weighted)
    {
        return BalancerOptions.defaultRingMinSize(backends(n, weighted));
    }

    private static List<Backend> backends(final int n, final boolean weighted)
    {
        final List<Backend> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            list.add(new Backend("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + ":443",
                weighted ? 1 + (i % 5) * 2 : 1));
        }
        return list;
    }

    private static void balance(
        final Algorithm algorithm, final BalancerOptions options, final String label, final int n,
        final boolean weighted)
    {
        final List<Backend> list = backends(n, weighted);
        final BackendPool pool = BackendPool.create(algorithm, list, options);
        final double[] shares = pool.hashShares();
        final double totalWeight = list.stream().mapToInt(Backend::weight).sum();
        double max = 0;
        double min = Double.MAX_VALUE;
        for (int i = 0; i < n; i++)
        {
            final double ideal = list.get(i).weight() / totalWeight;
            max = Math.max(max, shares[i] / ideal);
            min = Math.min(min, shares[i] / ideal);
        }
        System.out.printf("| %s | %s | %d | %s | %.4f | %.4f |%n",
            algorithm, label, n, weighted ? "1,3,5,7,9" : "1", max, min);
    }

    private static void disruption(
        final Algorithm algorithm, final BalancerOptions options, final String label, final int n,
        final long[] keys)
    {
        final List<Backend> all = backends(n, false);
        final BackendPool before = BackendPool.create(algorithm, all, options);
        final String[] owner = new String[keys.length];
        for (int k = 0; k < keys.length; k++)
        {
            owner[k] = before.backend(before.pick(keys[k], 0)).id();
        }
        final int tries = Math.min(n, 10);
        final double[] factors = new double[tries];
        final BackendPool after = BackendPool.create(algorithm, all, options);
        for (int t = 0; t < tries; t++)
        {
            final int leaving = (int)((long)t * n / tries);
            if (t > 0)
            {
                after.markUp((int)((long)(t - 1) * n / tries));
            }
            after.markDown(leaving);
            int moved = 0;
            for (int k = 0; k < keys.length; k++)
            {
                if (!owner[k].equals(after.backend(after.pick(keys[k], 0)).id()))
                {
                    moved++;
                }
            }
            factors[t] = moved / (double)keys.length * n;
        }
        System.out.printf("| %s | %s | %d | %d | %.3f | %.3f |%n",
            algorithm, label, n, tries, Arrays.stream(factors).average().orElse(0),
            Arrays.stream(factors).max().orElse(0));
    }
}
