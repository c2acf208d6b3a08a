package io.gatehouse.xds;

import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.control.ControlPlane;
import io.gatehouse.router.systemd.InheritedSockets;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.SystemNanoClock;

/**
 * A running router fed by xDS, wired as {@code gatehouse run} wires it ({@code RouterProcess}): a config file
 * with {@code xds:}, the control path, the router, and an {@link XdsSource} offering to the reloader.
 */
final class RouterUnderXds implements AutoCloseable
{
    final List<String> log = new CopyOnWriteArrayList<>();
    final ControlPlane control;
    final Router router;
    final XdsSource xds;

    private final boolean dumpLog;

    RouterUnderXds(final Path dir, final int xdsPort, final String extraYaml) throws Exception
    {
        this(dir, xdsPort, extraYaml, true);
    }

    /** @param dumpLog whether {@link #close()} prints the router's log lines (the benchmark's would be thousands). */
    RouterUnderXds(final Path dir, final int xdsPort, final String extraYaml, final boolean dumpLog) throws Exception
    {
        this(dir, "  server: 127.0.0.1:" + xdsPort + "\n", "workers: 2, transport: nio", extraYaml, dumpLog);
    }

    /**
     * @param xdsYaml     the lines of {@code xds:} before {@code node:} (its {@code server:}, and {@code tls:} if any).
     * @param runtimeYaml what {@code runtime:} holds (e.g. {@code "workers: 2, transport: nio"}).
     * @param extraYaml   more top-level keys (static {@code listeners:}, {@code admin:}).
     */
    RouterUnderXds(final Path dir, final String xdsYaml, final String runtimeYaml, final String extraYaml, final boolean dumpLog)
        throws Exception
    {
        this.dumpLog = dumpLog;
        final Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, "xds:\n" + xdsYaml + "  node:\n    id: gh-test\n    cluster: ingress\n    metadata: {LABELS: {istio: ingressgateway}, NAMESPACE: istio-system}\n"
            + "runtime: {" + runtimeYaml + "}\n" + extraYaml);
        final GatehouseConfig initial = ConfigLoader.load(file);
        final AtomicReference<Router> serving = new AtomicReference<>();
        control = ControlPlane.start(file, initial, next -> serving.get().reload(next), log::add, false);
        router = Router.start(initial, SystemNanoClock.INSTANCE,
            new InheritedSockets(InheritedSockets.Status.NONE, List.of(), null), control.health(), control.connectionLimit());
        serving.set(router);
        control.metrics().register(router.metrics());
        xds = new XdsSource(initial, log::add, System::currentTimeMillis);
        control.metrics().register(xds);
        control.xdsVersions(xds::versions);
        xds.start(control.reloader());
    }

    /** The bound address of a listener, or {@code null} while it is not served. */
    InetSocketAddress address(final String listener)
    {
        return router.boundAddress(listener);
    }

    Map<String, String> versions()
    {
        return xds.versions();
    }

    String metrics()
    {
        return control.metrics().scrape();
    }

    @Override
    public void close()
    {
        if (dumpLog)
        {
            log.forEach(line -> System.err.println("router log: " + line));
        }
        xds.close();
        control.close();
        router.close();
    }
}
