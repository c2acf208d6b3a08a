package io.gatehouse.router.relay;

/**
 * Every case of {@link BufferRelayTest} (the epoll transport's {@code relay: copy}) with both sockets
 * channel-less, as the router runs it: the client a {@link RawClientSocket}, the backend a {@link RawBackendSocket}.
 */
class RawClientBufferRelayTest extends BufferRelayTest
{
    @Override
    boolean rawClient()
    {
        return true;
    }
}
