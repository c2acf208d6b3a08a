package io.gatehouse.router.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One admin HTTP connection, after Netty's codec and aggregator: the request deadline, the access rules, the
 * dispatch to {@link AdminApi} and the answer. One request at a time per connection (reads pause while an
 * answer is pending), keep-alive when the client asks for it.
 *
 * <p>The deadline: a whole request must arrive within {@link AdminLimits#requestTimeoutMs()} of the connection
 * opening or of the previous answer being written; otherwise a partial request is answered 408 and any
 * connection is closed. A client sending one byte a second cannot stretch it. It is the first handler of the
 * pipeline ({@link Bytes}) so it sees raw bytes. A request pipelined behind a pending one is not answered: the
 * connection closes after the pending answer.
 *
 * <p>Admin event loop thread only; allocates per request (control path).
 */
final class AdminConnection extends ChannelInboundHandlerAdapter
{
    private final AdminApi api;
    private final AdminAccess access;
    private final AdminStats stats;
    private final long requestTimeoutMs;
    private ScheduledFuture<?> deadline;
    private boolean partial;
    private boolean busy;
    private boolean pipelined;

    AdminConnection(final AdminApi api, final AdminAccess access, final AdminStats stats, final long requestTimeoutMs)
    {
        this.api = api;
        this.access = access;
        this.stats = stats;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** The raw-bytes end of the pipeline: marks a request as started. */
    final class Bytes extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof ByteBuf buf && buf.isReadable())
            {
                partial = true;
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof FullHttpRequest request))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        try
        {
            onRequest(ctx, request);
        }
        finally
        {
            request.release();
        }
    }

    private void onRequest(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        if (busy)
        {
            pipelined = true;
            return;
        }
        disarm();
        partial = false;
        final DecoderResult result = request.decoderResult();
        if (result.isFailure())
        {
            final Throwable cause = result.cause();
            final int status;
            if (cause instanceof TooLongHttpLineException)
            {
                status = 414;
                stats.onTooLarge();
            }
            else if (cause instanceof TooLongHttpHeaderException)
            {
                status = 431;
                stats.onTooLarge();
            }
            else
            {
                status = 400;
                stats.onMalformed();
            }
            respond(ctx, AdminResponse.text(status, HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT) + "\n"),
                false, false);
            return;
        }
        final String method = request.method().name();
        final AdminAccess.Verdict verdict = access.check(method, request.headers().getAll(HttpHeaderNames.HOST),
            request.headers().get(HttpHeaderNames.ORIGIN), request.headers().get(HttpHeaderNames.AUTHORIZATION));
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final boolean head = method.equals("HEAD");
        switch (verdict)
        {
            case BAD_HOST ->
            {
                stats.onRefused(verdict);
                respond(ctx, AdminResponse.text(421, "Host is not this admin endpoint (use its address, an IP or localhost)\n"),
                    false, head);
                return;
            }
            case ORIGIN ->
            {
                stats.onRefused(verdict);
                respond(ctx, AdminResponse.text(403, "cross-origin requests are refused\n"), false, head);
                return;
            }
            case UNAUTHENTICATED ->
            {
                stats.onRefused(verdict);
                respond(ctx, AdminResponse.text(401, "POST needs Authorization: Bearer <admin.token_file's token>\n"), keepAlive,
                    head);
                return;
            }
            default ->
            {
            }
        }
        stats.onRequest();
        busy = true;
        ctx.channel().config().setAutoRead(false);
        api.handle(method, request.uri(), request.headers().get(HttpHeaderNames.ACCEPT)).whenComplete((response, failure) ->
        {
            final AdminResponse answer = failure == null
                ? response
                : AdminResponse.text(500, "internal error: " + failure + "\n");
            if (ctx.executor().inEventLoop())
            {
                onAnswer(ctx, answer, keepAlive, head);
            }
            else
            {
                ctx.executor().execute(() -> onAnswer(ctx, answer, keepAlive, head));
            }
        });
    }

    private void onAnswer(final ChannelHandlerContext ctx, final AdminResponse answer, final boolean keepAlive, final boolean head)
    {
        busy = false;
        if (!ctx.channel().isActive())
        {
            return;
        }
        final boolean open = keepAlive && !pipelined;
        respond(ctx, answer, open, head);
        if (open)
        {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void respond(final ChannelHandlerContext ctx, final AdminResponse answer, final boolean keepAlive, final boolean head)
    {
        final byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (answer.allow() != null)
        {
            response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
        }
        if (answer.status() == 401)
        {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            arm(ctx);
        }
        else
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            // A refusal may leave request bytes unread (an oversized line, headers or body, a request that
            // never finished): close gently so the answer is not lost to an RST. A whole request was read
            // otherwise, and the connection closes at once.
            final int status = answer.status();
            final boolean unread = status == 400 || status == 408 || status == 413 || status == 414 || status == 431;
            ctx.writeAndFlush(response).addListener(unread ? LingeringClose.AFTER_WRITE : ChannelFutureListener.CLOSE);
        }
    }

    private void arm(final ChannelHandlerContext ctx)
    {
        disarm();
        deadline = ctx.executor().schedule(() -> onDeadline(ctx), requestTimeoutMs, TimeUnit.MILLISECONDS);
    }

    private void disarm()
    {
        if (deadline != null)
        {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void onDeadline(final ChannelHandlerContext ctx)
    {
        deadline = null;
        if (busy || !ctx.channel().isActive())
        {
            return;
        }
        stats.onTimeout();
        if (partial)
        {
            respond(ctx, AdminResponse.text(408, "request not received in time\n"), false, false);
        }
        else
        {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        stats.onMalformed();
        ctx.close();
    }
}
