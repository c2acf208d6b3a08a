package io.gatehouse.router.relay;

import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RuntimeConfig;

class NioSpliceFallbackRelayTest extends RelayContractTest
{
    @Override
    protected RuntimeConfig.Transport transport()
    {
        return RuntimeConfig.Transport.NIO;
    }

    @Override
    protected ListenerConfig.RelayMode relayMode()
    {
        return ListenerConfig.RelayMode.SPLICE;
    }
}
