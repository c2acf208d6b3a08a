package io.gatehouse.router.sequence;

import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.metrics.WorkerCounters;
import io.gatehouse.router.proxy.ProxyIn;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.router.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The PROXY-signature screen for a client whose relay started before it sent a byte: a connection the
 * server-first delay routed (the backend must greet a silent client, so the relay cannot wait for the
 * client's first bytes). It sits on the client's pipeline in front of the copy relay's client-to-backend
 * handler and holds what the client sends until {@link ProxyIn#screen} decides: bytes that start with no
 * signature go on to the relay, as read, and this handler leaves the pipeline; a signature (v1
 * {@code "PROXY "}, v2's 12 bytes), however it is segmented, ends the session as
 * {@code rejected_proxy_header} before any of it reaches the backend. A proper prefix followed by the
 * client's FIN cannot become a signature: it goes on, then the FIN. The relay's reads go on meanwhile (the
 * read-complete event passes through), so holding a prefix never stalls it.
 *
 * <p>Thread: the client's event loop. Not thread-safe. Allocates one buffer when a read is only a prefix
 * (at most 11 bytes held); nothing once the screen has passed.
 */
final class LateScreen extends ChannelInboundHandlerAdapter
{
    private final Session session;
    private final WorkerCounters counters;
    private final UnsafeBuffer view;
    private final int maxBytes;
    private ByteBuf held;

    /**
     * @param held     the client's bytes read before the relay started (a proper prefix of a signature), or
     *                 {@code null}; ownership passes here.
     * @param maxBytes the listener's peek bound.
     */
    LateScreen(final Session session, final WorkerCounters counters, final UnsafeBuffer view, final ByteBuf held, final int maxBytes)
    {
        this.session = session;
        this.counters = counters;
        this.view = view;
        this.held = held;
        this.maxBytes = maxBytes;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf))
        {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf all = (ByteBuf)msg;
        if (held != null)
        {
            held.writeBytes(all);
            all.release();
            all = held;
            held = null;
        }
        final int readable = all.readableBytes();
        Sequencer.wrap(view, all, readable);
        final ProxyIn.Screen screen = ProxyIn.screen(view, 0, readable, maxBytes);
        if (screen == ProxyIn.Screen.CLEAN)
        {
            ctx.fireChannelRead(all);
            leave(ctx);
            return;
        }
        if (screen == ProxyIn.Screen.REFUSED)
        {
            all.release();
            counters.increment(Counter.REJECTED_PROXY_HEADER);
            session.close(EndReason.REJECTED_PROXY_HEADER);
            return;
        }
        held = ctx.alloc().directBuffer(Math.max(32, readable + 16));
        held.writeBytes(all);
        all.release();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent && held != null)
        {
            final ByteBuf prefix = held;
            held = null;
            ctx.fireChannelRead(prefix);
            ctx.fireChannelReadComplete();
            ctx.fireUserEventTriggered(event);
            leave(ctx);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    private void leave(final ChannelHandlerContext ctx)
    {
        if (ctx.pipeline().context(this) != null)
        {
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        if (held != null)
        {
            ReferenceCountUtil.release(held);
            held = null;
        }
    }
}
