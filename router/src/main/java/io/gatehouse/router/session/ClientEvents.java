package io.gatehouse.router.session;

import io.netty.buffer.ByteBuf;

/**
 * What a {@link ClientEnd} tells the connection's stages (the sequencer) about its client before the
 * relay starts. Event loop thread only; each call runs to its end before the next.
 */
public interface ClientEvents
{
    /** The stages start (the socket is set up, admitted, and registered or about to be). */
    void onStart();

    /** Bytes read from the client; ownership passes here. */
    void onRead(ByteBuf bytes);

    /** The reads of this readiness are done (see {@link ClientEnd#readMore()}). */
    void onReadComplete();

    /** The client sent its FIN. */
    void onInputShutdown();

    /** The socket closed, whoever closed it (a reset, an error, the session). */
    void onClosed();

    /** A read failed (a reset): the stage's end is noted and the socket is closed. */
    void onError();
}
