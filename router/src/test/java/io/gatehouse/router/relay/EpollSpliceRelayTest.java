package io.gatehouse.router.relay;

import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RuntimeConfig;

class EpollSpliceRelayTest extends RelayContractTest
{
    @Override
    protected RuntimeConfig.Transport transport()
    {
        return RuntimeConfig.Transport.EPOLL;
    }

    @Override
    protected ListenerConfig.RelayMode relayMode()
    {
        return ListenerConfig.RelayMode.SPLICE;
    }
}
