package io.gatehouse.router.relay;

/**
 * Every case of {@link SpliceRelayTest} with both sockets channel-less, as the router runs on epoll: the
 * client a {@link RawClientSocket} accepted by the router's own listening socket, the backend a
 * {@link RawBackendSocket}; the relay adopts both registrations (no flush, no deregistration) and closes both.
 */
class RawClientSpliceRelayTest extends SpliceRelayTest
{
    @Override
    boolean rawClient()
    {
        return true;
    }
}
