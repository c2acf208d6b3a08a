package io.gatehouse.router.session;

import java.net.InetSocketAddress;

/**
 * A session's socket when it is not a Netty channel (on epoll, the raw relay's own: the client's
 * {@link io.gatehouse.router.relay.RawClientSocket}, the backend's
 * {@link io.gatehouse.router.relay.RawBackendSocket}): what the session needs of it to end exactly once.
 * Event loop thread only.
 */
public interface SocketEnd
{
    /** Closes it now (and, once a relay runs on it, the relay and its other socket with it). */
    void close();

    /** Its local address, or {@code null} once closed (the access log's {@code upstream_local}). */
    InetSocketAddress localAddress();

    /** Tells {@code listener} once when it closes, whoever closes it (at once if it has). */
    void onClosed(Closed listener);

    /** Hears a socket's close (one listener per socket; a session listens on both of its own). */
    interface Closed
    {
        void onSocketClosed(SocketEnd socket);
    }
}
