package io.gatehouse.balancer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gatehouse.balancer.Algorithm;
import io.gatehouse.balancer.Backend;
import io.gatehouse.balancer.BackendPool;
import io.gatehouse.balancer.Hash;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One first-choice pick per operation, keys cycling through 4,096 precomputed hashes. {@code keyOnly} is
 * the harness floor (reading the next key); {@code hashAddressAndPick} adds the key's own cost (an IPv4
 * source address hashed with {@link Hash#hashAddress(byte[], int)}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class LookupBenchmark
{
    private static final int KEYS = 4_096;

    @Param({ "MAGLEV", "RING_HASH", "ROUND_ROBIN", "LEAST_CONN_P2C" })
    public Algorithm algorithm;

    @Param({ "100" })
    public int backends;

    private final long[] keys = new long[KEYS];
    private final byte[][] addresses = new byte[KEYS][];
    private BackendPool pool;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        final List<Backend> list = new ArrayList<>();
        for (int i = 0; i < backends; i++)
        {
            list.add(Backend.of("10.0." + (i >> 8) + "." + (i & 255) + ":443"));
        }
        pool = BackendPool.create(algorithm, list);
        for (int i = 0; i < KEYS; i++)
        {
            keys[i] = Hash.mix(i, 42);
            addresses[i] = new byte[]{ (byte)198, 51, (byte)(i >> 8), (byte)i };
        }
    }

    @Benchmark
    public long keyOnly()
    {
        return keys[next++ & (KEYS - 1)];
    }

    @Benchmark
    public int pick()
    {
        return pool.pick(keys[next++ & (KEYS - 1)], 0);
    }

    @Benchmark
    public int hashAddressAndPick()
    {
        return pool.pick(Hash.hashAddress(addresses[next++ & (KEYS - 1)], -1), 0);
    }

    @Benchmark
    public int retryPick()
    {
        return pool.pick(keys[next++ & (KEYS - 1)], 1);
    }
}
