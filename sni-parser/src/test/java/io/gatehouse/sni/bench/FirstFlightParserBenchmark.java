package io.gatehouse.sni.bench;

import io.gatehouse.sni.ClientHelloBuilder;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The peek of a whole ClientHello, gatehouse's {@link FirstFlightParser} beside Netty's own SNI
 * extraction ({@link AbstractSniHandler}, what {@code SniHandler} is built on) on the same bytes in
 * the same direct memory. Netty's handler is stateful per connection, so each operation adds a fresh
 * handler to a reused {@link EmbeddedChannel}, writes the hello, and the handler removes itself once
 * the name is found (as SniHandler replaces itself); the parser is reset and reused, as the router
 * does per event loop. Run with {@code -prof gc}; see bench-results/sni-parser.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FirstFlightParserBenchmark
{
    /** hello512: one record, 512 bytes; pq1800: X25519MLKEM768 share, 1,800 bytes; records16: 512 bytes in 16 records. */
    @Param({"hello512", "pq1800", "records16"})
    public String input;

    private ByteBuf direct;
    private UnsafeBuffer view;
    private int length;
    private FirstFlightParser parser;
    private EmbeddedChannel channel;
    private String nettyName;

    @Setup(Level.Trial)
    public void setUp()
    {
        final ClientHelloBuilder builder = new ClientHelloBuilder().serverName("www.example.test").alpn("h2", "http/1.1");
        final byte[] bytes;
        switch (input)
        {
            case "hello512":
                bytes = builder.padToBytes(512).build();
                break;
            case "pq1800":
                bytes = builder.postQuantumKeyShare(true).padToBytes(1800).build();
                break;
            default:
                bytes = builder.padToBytes(512).records(16).build();
                break;
        }
        length = bytes.length;
        direct = Unpooled.directBuffer(length).writeBytes(bytes);
        view = new UnsafeBuffer(direct.memoryAddress(), length);
        parser = new FirstFlightParser();
        channel = new EmbeddedChannel();
        if (gatehouse() != PeekStatus.OK.ordinal() + 16 || !"www.example.test".equals(nettyOnce()))
        {
            throw new IllegalStateException("benchmark input not understood by both parsers: " + input);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        channel.finishAndReleaseAll();
        direct.release();
    }

    @Benchmark
    public int gatehouse()
    {
        parser.reset();
        return parser.parse(view, 0, length).ordinal() + parser.nameLength();
    }

    @Benchmark
    public String netty()
    {
        return nettyOnce();
    }

    /**
     * Netty's per-connection harness without the parse: a pass-through handler added, the same bytes
     * written, the handler removed on the first read. What {@link #netty()} costs beyond this is the
     * SNI extraction itself.
     */
    @Benchmark
    public Object nettyHarnessOnly()
    {
        channel.pipeline().addLast(new PassThroughHandler());
        channel.writeInbound(direct.retainedDuplicate());
        Object message;
        Object last = null;
        while ((message = channel.readInbound()) != null)
        {
            last = message;
            ReferenceCountUtil.release(message);
        }
        return last;
    }

    private static final class PassThroughHandler extends io.netty.channel.ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
        }
    }

    private String nettyOnce()
    {
        nettyName = null;
        channel.pipeline().addLast(new NameHandler());
        channel.writeInbound(direct.retainedDuplicate());
        Object message;
        while ((message = channel.readInbound()) != null)
        {
            ReferenceCountUtil.release(message);
        }
        return nettyName;
    }

    private final class NameHandler extends AbstractSniHandler<String>
    {
        NameHandler()
        {
            super(0L);
        }

        @Override
        protected Future<String> lookup(final ChannelHandlerContext ctx, final String hostname)
        {
            return ctx.executor().newSucceededFuture(hostname);
        }

        @Override
        protected void onLookupComplete(final ChannelHandlerContext ctx, final String hostname, final Future<String> future)
        {
            nettyName = hostname;
            ctx.pipeline().remove(this);
        }
    }
}
