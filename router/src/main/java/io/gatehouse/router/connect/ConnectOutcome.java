package io.gatehouse.router.connect;

import io.gatehouse.router.relay.RawBackendSocket;
import io.netty.channel.Channel;

/** What a {@link BackendConnector} reports, on the event loop that owns the client. */
public interface ConnectOutcome
{
    /** A backend accepted; {@code backend} is connected, registered on the client's loop, auto-read off. */
    void onBackendConnected(Channel backend, int backendIndex);

    /** A backend accepted a channel-less socket (a connector asked for raw sockets): connected, registered on the client's loop. */
    void onBackendConnected(RawBackendSocket backend, int backendIndex);

    /** Every attempt failed or the pool offered no backend; the client should be closed. */
    void onBackendUnavailable();

    /**
     * This host could not make the backend socket (EMFILE, ENFILE, ENOBUFS) or give it a local address
     * (EADDRNOTAVAIL): no backend was at fault and none was counted; the client should be closed.
     */
    void onLocalResourceExhausted();
}
