package io.gatehouse.router.relay;

/**
 * Every case of {@link BufferRelayTest} (the epoll transport's {@code relay: copy}) with the backend a
 * {@link RawBackendSocket}, as the router runs it.
 */
class RawBackendBufferRelayTest extends BufferRelayTest
{
    @Override
    boolean rawBackend()
    {
        return true;
    }
}
