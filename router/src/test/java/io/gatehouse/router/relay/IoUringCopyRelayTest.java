package io.gatehouse.router.relay;

import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RuntimeConfig;

class IoUringCopyRelayTest extends RelayContractTest
{
    @Override
    protected RuntimeConfig.Transport transport()
    {
        return RuntimeConfig.Transport.IO_URING;
    }

    @Override
    protected ListenerConfig.RelayMode relayMode()
    {
        return ListenerConfig.RelayMode.COPY;
    }
}
