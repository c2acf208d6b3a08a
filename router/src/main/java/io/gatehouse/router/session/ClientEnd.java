package io.gatehouse.router.session;

import io.gatehouse.router.route.ListenerState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;

/**
 * The client's socket as the connection's stages see it until the relay takes it: a Netty channel (its
 * pipeline handler, on io_uring and NIO, and on epoll for a listener with a server-first route) or, on
 * epoll, a raw accepted socket with no channel ({@code relay.RawClientSocket}). It
 * reports what the client does to its {@link ClientEvents}, one call at a time, on the client's loop.
 * Event loop thread only.
 */
public interface ClientEnd
{
    /** Allocates the buffers that hold the client's bytes and the replies to it. */
    ByteBufAllocator alloc();

    /** While peeking, after {@link ClientEvents#onReadComplete()}: the client's next bytes are wanted. */
    void readMore();

    /** True until the socket closed. */
    boolean isOpen();

    /** Closes the socket now; {@link ClientEvents#onClosed()} follows. */
    void close();

    /** Sends {@code reply} (ownership passes here), then closes; a failed send just closes. */
    void replyAndClose(ByteBuf reply);

    /**
     * The backend connected: the relay takes both sockets from here. The events stop. {@code screened}
     * false (routed by the server-first delay before the client's first bytes passed the PROXY-signature
     * screen) is only ever asked of an end that can screen in front of a relay (a channel's).
     *
     * @param backend         the backend's channel, or {@code null} with {@code rawBackend}.
     * @param rawBackend      the backend's channel-less socket (a {@code relay.RawBackendSocket}), or {@code null}.
     * @param proxyHeader     written first when not {@code null}; ownership passes here.
     * @param peeked          the client's bytes read so far, or {@code null}; ownership passes here.
     */
    void startRelay(
        Session session,
        ListenerState state,
        Channel backend,
        SocketEnd rawBackend,
        ByteBuf proxyHeader,
        ByteBuf peeked,
        boolean screened,
        boolean clientInputDone);
}
