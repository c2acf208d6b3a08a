package io.gatehouse.balancer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gatehouse.balancer.Algorithm;
import io.gatehouse.balancer.Backend;
import io.gatehouse.balancer.BackendPool;
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
 * Building a pool from scratch (id hashes, canonical sort, table) with the default options: Maglev
 * M = 65,537, ring at least 1,024 points. What a config reload or a health change costs the control thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx1g" })
public class BuildBenchmark
{
    @Param({ "MAGLEV", "RING_HASH" })
    public Algorithm algorithm;

    @Param({ "10", "100", "1000", "10000" })
    public int backends;

    private List<Backend> list;

    @Setup(Level.Trial)
    public void setUp()
    {
        list = new ArrayList<>();
        for (int i = 0; i < backends; i++)
        {
            list.add(Backend.of("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + ":443"));
        }
    }

    @Benchmark
    public BackendPool build()
    {
        return BackendPool.create(algorithm, list);
    }
}
