package io.gatehouse.router.session;

import java.net.InetSocketAddress;

/**
 * A session's backend socket when it is not a Netty channel (the raw relay's own,
 * {@link io.gatehouse.router.relay.RawBackendSocket}): what the session needs of it to end exactly once.
 * Event loop thread only.
 */
public interface BackendSocket
{
    /** Closes it now (and, once a relay runs on it, the relay and its client socket with it). */
    void close();

    /** Its local address, or {@code null} once closed (the access log's {@code upstream_local}). */
    InetSocketAddress localAddress();

    /** Runs {@code task} once when it closes, whoever closes it (at once if it has). */
    void onClosed(Runnable task);
}
