package io.gatehouse.router.proxy.bench;

import io.gatehouse.router.proxy.ProxyHeaderEncoder;
import io.gatehouse.router.proxy.ProxyHeaderParser;
import io.gatehouse.router.proxy.ProxyHeaderStatus;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The PROXY header codec per connection: parse a v1 TCP4 line and a v2 TCP6 header with AUTHORITY and
 * ALPN, encode the same. Baseline: summing the v2 header's bytes through the same buffer (the floor
 * of reading them once). Run with {@code -prof gc}: every benchmark but the baseline should show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProxyHeaderBenchmark
{
    private final ProxyHeaderParser parser = new ProxyHeaderParser();
    private final ProxyHeaderEncoder encoder = new ProxyHeaderEncoder();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[512]);
    private UnsafeBuffer v1;
    private int v1Length;
    private UnsafeBuffer v2;
    private int v2Length;
    private byte[] source6;
    private byte[] destination6;
    private byte[] source4;
    private byte[] destination4;
    private UnsafeBuffer authority;
    private UnsafeBuffer alpn;

    @Setup
    public void setUp() throws Exception
    {
        source6 = InetAddress.getByName("2001:db8:85a3::8a2e:370:7334").getAddress();
        destination6 = InetAddress.getByName("2001:db8::1").getAddress();
        source4 = InetAddress.getByName("192.0.2.1").getAddress();
        destination4 = InetAddress.getByName("198.51.100.10").getAddress();
        authority = new UnsafeBuffer("www.example.com".getBytes(StandardCharsets.US_ASCII));
        alpn = new UnsafeBuffer("h2".getBytes(StandardCharsets.US_ASCII));

        final byte[] line = "PROXY TCP4 192.0.2.1 198.51.100.10 54321 443\r\n".getBytes(StandardCharsets.US_ASCII);
        v1 = new UnsafeBuffer(line);
        v1Length = line.length;
        final UnsafeBuffer header = new UnsafeBuffer(new byte[512]);
        v2Length = encoder.reset().source(source6, 50000).destination(destination6, 443).authority(authority, 0, 15).alpn(alpn, 0, 2)
            .encodeV2(header, 0, 512);
        v2 = header;
        if (parser.parse(v2, 0, v2Length) != ProxyHeaderStatus.OK || parser.parse(v1, 0, v1Length) != ProxyHeaderStatus.OK)
        {
            throw new IllegalStateException("fixtures do not parse");
        }
    }

    @Benchmark
    public long baselineSumV2Bytes()
    {
        long sum = 0;
        for (int i = 0; i < v2Length; i++)
        {
            sum += v2.getByte(i);
        }
        return sum;
    }

    @Benchmark
    public int parseV1Tcp4()
    {
        parser.parse(v1, 0, v1Length);
        return parser.sourcePort();
    }

    @Benchmark
    public int parseV2Tcp6WithTlvs()
    {
        parser.parse(v2, 0, v2Length);
        return parser.authorityIndex() + parser.sourcePort();
    }

    @Benchmark
    public int encodeV1Tcp6()
    {
        return encoder.reset().source(source6, 50000).destination(destination6, 443).encodeV1(out, 0, 512);
    }

    @Benchmark
    public int encodeV1Tcp4()
    {
        return encoder.reset().source(source4, 54321).destination(destination4, 443).encodeV1(out, 0, 512);
    }

    @Benchmark
    public int encodeV2Tcp6WithTlvs()
    {
        return encoder.reset().source(source6, 50000).destination(destination6, 443).authority(authority, 0, 15).alpn(alpn, 0, 2)
            .encodeV2(out, 0, 512);
    }
}
