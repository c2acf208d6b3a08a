package io.gatehouse.loadgen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/**
 * A running demo/benchmark backend: echo, sink, fixed responder or bulk source, plain or TLS, that
 * shows its identity on every connection (see {@link BackendMode}). Other modules' tests start one
 * in-process:
 *
 * <pre>{@code
 * try (Backend echo = Backend.start(BackendSpec.of(BackendMode.ECHO, "a")))
 * {
 *     connect to echo.port() ...
 * }
 * }</pre>
 *
 * <p>{@link #start} and {@link #close} run on the caller's thread; connections are served on the
 * backend's own event loops. The counters may be read from any thread.
 */
public final class Backend implements AutoCloseable
{
    static final int SOURCE_CHUNK_BYTES = 64 * 1024;

    private final BackendSpec spec;
    private final EventLoopGroup group;
    /** Accepted connections, closed by {@link #close()} itself (Netty's loop shutdown can skip them). */
    private final ChannelGroup accepted;
    private final Channel serverChannel;
    private final InetSocketAddress boundAddress;
    private final ByteBuf greeting;
    private final ByteBuf response;
    private final ByteBuf sourceChunk;
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder connectionErrors = new LongAdder();

    private Backend(final BackendSpec spec, final EventLoopGroup group, final ByteBuf greeting, final ByteBuf response,
        final ByteBuf sourceChunk, final Channel serverChannel)
    {
        this.spec = spec;
        this.group = group;
        this.accepted = new DefaultChannelGroup("backend-" + spec.id(), group.next());
        this.greeting = greeting;
        this.response = response;
        this.sourceChunk = sourceChunk;
        this.serverChannel = serverChannel;
        this.boundAddress = serverChannel == null ? null : (InetSocketAddress)serverChannel.localAddress();
    }

    /**
     * Binds and starts serving.
     *
     * @param spec what to start.
     * @return the running backend; close it to stop.
     * @throws IllegalStateException when the address cannot be bound (the message names it).
     */
    public static Backend start(final BackendSpec spec)
    {
        final byte[] idLine = (spec.id() + "\n").getBytes(StandardCharsets.US_ASCII);
        final ByteBuf greeting = Unpooled.directBuffer(idLine.length).writeBytes(idLine);
        final byte[] responseBytes = new byte[spec.responseBytes()];
        Arrays.fill(responseBytes, (byte)'.');
        System.arraycopy(idLine, 0, responseBytes, 0, idLine.length);
        final ByteBuf response = Unpooled.directBuffer(responseBytes.length).writeBytes(responseBytes);
        final byte[] chunk = new byte[SOURCE_CHUNK_BYTES];
        Arrays.fill(chunk, (byte)'s');
        final ByteBuf sourceChunk = Unpooled.directBuffer(chunk.length).writeBytes(chunk);

        final SslContext sslContext;
        try
        {
            sslContext = spec.tls() == null ? null : serverContext(spec.tls());
        }
        catch (final RuntimeException ex)
        {
            releaseAll(greeting, response, sourceChunk);
            throw ex;
        }
        final EventLoopGroup group = spec.transport().newGroup(spec.threads(), "backend-" + spec.id());
        final Backend[] self = new Backend[1];
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(group)
            .channel(spec.transport().serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    final Backend backend = self[0];
                    backend.accepted.add(ch);
                    backend.connectionsAccepted.increment();
                    if (sslContext != null)
                    {
                        ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(new BackendHandler(backend, sslContext != null));
                }
            });
        final Channel channel;
        try
        {
            final var future = bootstrap.bind(spec.host(), spec.port()).awaitUninterruptibly();
            if (!future.isSuccess())
            {
                throw new IllegalStateException("cannot bind backend '" + spec.id() + "' to " + spec.host() + ":" + spec.port()
                    + ": " + future.cause().getMessage(), future.cause());
            }
            channel = future.channel();
        }
        catch (final RuntimeException ex)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            releaseAll(greeting, response, sourceChunk);
            throw ex;
        }
        final Backend backend = new Backend(spec, group, greeting, response, sourceChunk, channel);
        self[0] = backend;
        return backend;
    }

    private static void releaseAll(final ByteBuf... buffers)
    {
        for (final ByteBuf buffer : buffers)
        {
            buffer.release();
        }
    }

    private static SslContext serverContext(final SelfSignedIdentity identity)
    {
        try
        {
            return SslContextBuilder.forServer(identity.keyManagerFactory()).sslProvider(SslProvider.JDK).build();
        }
        catch (final SSLException ex)
        {
            throw new IllegalStateException("cannot build the backend's TLS context", ex);
        }
    }

    public BackendSpec spec()
    {
        return spec;
    }

    public String id()
    {
        return spec.id();
    }

    public BackendMode mode()
    {
        return spec.mode();
    }

    /** The port actually bound (the ephemeral one when the spec said 0). */
    public int port()
    {
        return boundAddress.getPort();
    }

    public InetSocketAddress address()
    {
        return boundAddress;
    }

    /** {@code host:port} as the load generator's {@code --target} takes it. */
    public String target()
    {
        final String host = boundAddress.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    public long connectionsAccepted()
    {
        return connectionsAccepted.sum();
    }

    public long bytesReceived()
    {
        return bytesReceived.sum();
    }

    /** Connections that ended with an I/O or TLS error rather than a close. */
    public long connectionErrors()
    {
        return connectionErrors.sum();
    }

    /** A retained duplicate of the greeting line; the write releases it. Event loop only. */
    ByteBuf greeting()
    {
        return greeting.retainedDuplicate();
    }

    /** A retained duplicate of the fixed response; the write releases it. Event loop only. */
    ByteBuf response()
    {
        return response.retainedDuplicate();
    }

    /** A retained duplicate of the bulk chunk; the write releases it. Event loop only. */
    ByteBuf sourceChunk()
    {
        return sourceChunk.retainedDuplicate();
    }

    /** Stops accepting, closes every connection and the event loops; waits up to a few seconds. */
    @Override
    public void close()
    {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Closed here, not left to the loops' shutdown: a zero-quiet-period shutdown that begins mid-turn ends a
        // Netty 4.2 loop without closing its channels (bench-results/netty-repro/ShutdownSkipsCloseAll.java).
        accepted.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (final io.netty.util.concurrent.EventExecutor loop : group)
        {
            loop.submit(() -> { }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        releaseAll(greeting, response, sourceChunk);
    }

    @Override
    public String toString()
    {
        return "backend " + spec.id() + " (" + spec.mode().name().toLowerCase(java.util.Locale.ROOT)
            + (spec.tls() != null ? ", tls" : "") + ") on " + target();
    }
}
