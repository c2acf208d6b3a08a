package io.gatehouse.router.relay;

/**
 * What a relay reports about one connection. Called on the connection's event loop; implementations
 * must not block.
 */
public interface RelayObserver
{
    /**
     * Bytes delivered since the last call (a relay may call this once, at close, with the totals).
     *
     * @param clientToBackend bytes written to the backend.
     * @param backendToClient bytes written to the client.
     */
    void onBytes(long clientToBackend, long backendToClient);

    /**
     * The connection is closed and every resource it held is released. Called once.
     *
     * @param reason why: {@code client_eof}, {@code backend_eof}, {@code reset}, {@code idle},
     *               {@code closed}, {@code shutdown} or {@code error}.
     */
    void onClosed(String reason);
}
