package io.gatehouse.router.relay;

/**
 * What a relay reports: bytes moved each way and its end. Called on the event loop that owns both
 * channels; implementations must not block or allocate.
 */
public interface RelayObserver
{
    /** {@code bytes} more were written towards the backend. */
    void onBytesToBackend(long bytes);

    /** {@code bytes} more were written towards the client. */
    void onBytesToClient(long bytes);

    /** Both channels are closed; {@code reset} when an error (RST, broken pipe) ended the relay. Called once. */
    void onRelayClosed(boolean reset);
}
