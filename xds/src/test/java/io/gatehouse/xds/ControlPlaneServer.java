package io.gatehouse.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The Envoy project's Java control plane (java-control-plane's {@link V3DiscoveryServer} over a
 * {@link SimpleCache}) on a real gRPC server on loopback, every node in one group. Records every request
 * it receives, so a test can read the ACKs and NACKs gatehouse sent. Stop and start again on the same port
 * to play a control-plane restart.
 */
final class ControlPlaneServer implements AutoCloseable
{
    static final String GROUP = "gatehouse";

    final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
    final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
    private Server server;
    private int port;

    ControlPlaneServer start() throws IOException
    {
        return start(0);
    }

    ControlPlaneServer start(final int wantedPort) throws IOException
    {
        return start(wantedPort, null);
    }

    /** @param tls the server's TLS (and whom it requires a client certificate from), or {@code null} for plaintext. */
    ControlPlaneServer start(final int wantedPort, final io.grpc.netty.shaded.io.netty.handler.ssl.SslContext tls) throws IOException
    {
        final V3DiscoveryServer discovery = new V3DiscoveryServer(new DiscoveryServerCallbacks()
        {
            @Override
            public void onV3StreamRequest(final long streamId, final DiscoveryRequest request)
            {
                requests.add(request);
            }

            @Override
            public void onV3StreamDeltaRequest(final long streamId, final DeltaDiscoveryRequest request)
            {
            }
        }, cache);
        final NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", wantedPort))
            .withChildOption(ChannelOption.SO_REUSEADDR, true)
            .withOption(ChannelOption.SO_REUSEADDR, true)
            .addService(discovery.getAggregatedDiscoveryServiceImpl());
        if (tls != null)
        {
            builder.sslContext(tls);
        }
        server = builder.build().start();
        port = ((InetSocketAddress)server.getListenSockets().get(0)).getPort();
        return this;
    }

    int port()
    {
        return port;
    }

    void push(final Snapshot snapshot)
    {
        cache.setSnapshot(GROUP, snapshot);
    }

    /** Ends every stream and the listening socket (a control-plane crash, as the client sees it). */
    void stop() throws InterruptedException
    {
        if (server != null)
        {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
            server = null;
        }
    }

    /** The latest request for {@code typeUrl} matching {@code test}, or {@code null}. */
    DiscoveryRequest last(final String typeUrl, final Predicate<DiscoveryRequest> test)
    {
        for (int i = requests.size() - 1; i >= 0; i--)
        {
            final DiscoveryRequest request = requests.get(i);
            if (request.getTypeUrl().equals(typeUrl) && test.test(request))
            {
                return request;
            }
        }
        return null;
    }

    /** Whether gatehouse ACKed {@code version} of {@code typeUrl}. */
    boolean acked(final String typeUrl, final String version)
    {
        return last(typeUrl, r -> r.getVersionInfo().equals(version) && !r.hasErrorDetail() && !r.getResponseNonce().isEmpty()) != null;
    }

    @Override
    public void close() throws InterruptedException
    {
        stop();
    }
}
