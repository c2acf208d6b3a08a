package io.gatehouse.router.relay;

/**
 * Every case of {@link SpliceRelayTest} with the backend a {@link RawBackendSocket}: no Netty channel, its
 * connect registration adopted by the relay, the first flight sent by the relay itself (the router's path
 * on epoll).
 */
class RawBackendSpliceRelayTest extends SpliceRelayTest
{
    @Override
    boolean rawBackend()
    {
        return true;
    }
}
