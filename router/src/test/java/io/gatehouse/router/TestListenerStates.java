package io.gatehouse.router;

import io.gatehouse.router.config.ConfigException;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.metrics.ListenerCounters;
import io.gatehouse.router.policy.AdmissionPolicy;
import io.gatehouse.router.policy.ConnectionLimit;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.route.RouteCompiler;
import java.nio.file.Path;

/** A config's first listener as the event loops see it (routes compiled, admission policy built), for stage tests. */
public final class TestListenerStates
{
    private TestListenerStates()
    {
    }

    /** {@code yaml} is a whole config file; one event loop. */
    public static ListenerState first(final String yaml) throws ConfigException
    {
        final GatehouseConfig config = ConfigLoader.parse(yaml, Path.of("stage-test.yaml"));
        final ListenerConfig listener = config.listeners().get(0);
        final RouteCompiler compiler = new RouteCompiler(1);
        compiler.beginGeneration();
        final ListenerState state = new ListenerState(listener, compiler.compile(listener),
            AdmissionPolicy.create(listener, new ConnectionLimit(0), System::nanoTime), new ListenerCounters(listener.name(), 1), 1,
            config.runtime().idleTimeoutMs());
        compiler.endGeneration();
        return state;
    }
}
