package io.gatehouse.router.policy.bench;

import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.SourceLimitConfig;
import io.gatehouse.router.policy.CidrSet;
import io.gatehouse.router.policy.RejectReason;
import io.gatehouse.router.policy.SourceLimiter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What admission costs per new connection: a CIDR lookup over N blocks (IPv4 and IPv6, from
 * InetAddress as the data path has it), against a linear scan of {@link Cidr#contains} as the baseline;
 * and a per-source limiter acquire + release.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdmissionBenchmark
{
    @Param({"16", "1024"})
    public int blocks;

    private CidrSet set;
    private List<Cidr> list;
    private InetAddress[] v4;
    private InetAddress[] v6;
    private byte[][] v4Bytes;
    private SourceLimiter limiter;
    private int next;

    @Setup
    public void setUp() throws Exception
    {
        final Random random = new Random(7);
        list = new ArrayList<>();
        for (int i = 0; i < blocks; i++)
        {
            final boolean six = (i & 3) == 0;
            final byte[] bytes = new byte[six ? 16 : 4];
            random.nextBytes(bytes);
            final int prefix = six ? 32 + random.nextInt(97) : 8 + random.nextInt(25);
            for (int bit = prefix; bit < bytes.length * 8; bit++)
            {
                bytes[bit >>> 3] &= (byte)~(0x80 >>> (bit & 7));
            }
            list.add(new Cidr(bytes, prefix));
        }
        set = CidrSet.of(list);
        v4 = new InetAddress[1024];
        v6 = new InetAddress[1024];
        v4Bytes = new byte[1024][];
        for (int i = 0; i < v4.length; i++)
        {
            final byte[] a = new byte[4];
            random.nextBytes(a);
            v4[i] = InetAddress.getByAddress(a);
            v4Bytes[i] = a;
            final byte[] b = new byte[16];
            random.nextBytes(b);
            v6[i] = InetAddress.getByAddress(b);
        }
        limiter = new SourceLimiter(new SourceLimitConfig(100, 1_000_000, 1_000_000), 100_000, System::nanoTime);
    }

    @Benchmark
    public boolean cidrSetIpv4()
    {
        return set.contains(v4[next++ & 1023]);
    }

    @Benchmark
    public boolean cidrSetIpv6()
    {
        return set.contains(v6[next++ & 1023]);
    }

    @Benchmark
    public boolean linearScanIpv4Baseline()
    {
        final byte[] address = v4Bytes[next++ & 1023];
        for (int i = 0; i < list.size(); i++)
        {
            if (list.get(i).contains(address))
            {
                return true;
            }
        }
        return false;
    }

    @Benchmark
    public RejectReason limiterAcquireRelease()
    {
        final InetAddress source = v4[next++ & 1023];
        final RejectReason reason = limiter.acquire(source);
        if (reason == RejectReason.NONE)
        {
            limiter.release(source);
        }
        return reason;
    }
}
