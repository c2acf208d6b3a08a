package io.gatehouse.xds;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gatehouse.router.config.XdsConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One ADS stream at a time to the control plane (state of the world), on one thread,
 * {@code gatehouse-xds}, which is also gRPC's callback executor: every response, request, reconnect and
 * delayed NACK runs there, so the stream observer (not thread-safe) is used from one thread only.
 *
 * <p>Protocol, as Envoy: the first requests of a stream carry the node and, per type, the version last
 * accepted (empty on the first stream) and the resource names subscribed (none = wildcard, for LDS and CDS).
 * Each response is answered once: an ACK carries its {@code version_info} and {@code response_nonce}; a NACK
 * carries the version last accepted, the response's nonce, and {@code error_detail} (INVALID_ARGUMENT and the
 * {@link Handler}'s message). A control plane that resends a rejected version at once (java-control-plane
 * does, as the versions differ) is answered with the same NACK after a doubling delay (100 ms to 10 s), so a
 * bad snapshot costs a request per delay, not a busy loop. A stream that ends or fails is opened again after
 * a jittered backoff (uniform between half and all of 250 ms doubling to 30 s; reset by the first response of a stream); what
 * was accepted keeps serving meanwhile.
 */
final class AdsClient implements AutoCloseable
{
    static final long BACKOFF_BASE_MS = 250;
    static final long BACKOFF_MAX_MS = 30_000;
    static final long RENACK_BASE_MS = 100;
    static final long RENACK_MAX_MS = 10_000;

    /** What the client asks the source; every call on the xds thread. */
    interface Handler
    {
        /** @return {@code null} to ACK the response, else the NACK's error detail. */
        String onResponse(DiscoveryResponse response);

        /** The resource names to subscribe to for {@code typeUrl}; empty = every resource (wildcard). */
        List<String> subscriptions(String typeUrl);

        /** Whether to ask for {@code typeUrl} at all now (EDS only once some cluster needs it). */
        boolean wanted(String typeUrl);

        /** The stream is up (a response arrived) or down. */
        void onConnection(boolean up);
    }

    private final XdsConfig config;
    private final Handler handler;
    private final Consumer<String> log;
    private final List<String> types;
    private final ScheduledExecutorService executor;
    private final ManagedChannel channel;
    private final Map<String, String> acceptedVersion = new HashMap<>();
    private final Map<String, String> lastNonce = new HashMap<>();
    private final Map<String, String> rejectedVersion = new HashMap<>();
    private final Map<String, Long> renackDelayMs = new HashMap<>();
    private final Map<String, List<String>> sentSubscriptions = new HashMap<>();
    private ClientCallStreamObserver<DiscoveryRequest> stream;
    private long streamId;
    private int failures;
    private boolean closed;
    private boolean nodeSent;
    private ScheduledFuture<?> reconnect;
    private volatile long reconnects;

    /**
     * @param types the type URLs in the order their first requests go (CDS, EDS, LDS).
     * @throws IllegalArgumentException when the TLS files cannot be used.
     */
    AdsClient(final XdsConfig config, final List<String> types, final Handler handler, final Consumer<String> log)
    {
        this.config = config;
        this.types = List.copyOf(types);
        this.handler = handler;
        this.log = log;
        final ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, runnable ->
        {
            final Thread thread = new Thread(runnable, "gatehouse-xds");
            thread.setDaemon(true);
            return thread;
        });
        pool.setRemoveOnCancelPolicy(true);
        this.executor = pool;
        // gRPC's callbacks run on the xds thread; once close() has shut it down, a late callback (the stream's
        // close) is dropped instead of failing inside gRPC
        final java.util.concurrent.Executor callbacks = task ->
        {
            try
            {
                executor.execute(task);
            }
            catch (final java.util.concurrent.RejectedExecutionException ex)
            {
                // closed: nothing is listening any more
            }
        };
        final NettyChannelBuilder builder = NettyChannelBuilder.forAddress(config.server().host(), config.server().port())
            .executor(callbacks)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .maxInboundMessageSize(64 * 1024 * 1024);
        if (config.tls() == null)
        {
            builder.usePlaintext();
        }
        else
        {
            try
            {
                final var ssl = GrpcSslContexts.forClient().trustManager(config.tls().ca().toFile());
                if (config.tls().cert() != null)
                {
                    ssl.keyManager(config.tls().cert().toFile(), config.tls().key().toFile());
                }
                builder.sslContext(ssl.build());
            }
            catch (final Exception ex)
            {
                pool.shutdownNow();
                throw new IllegalArgumentException("xds.tls: " + ex.getMessage(), ex);
            }
        }
        this.channel = builder.build();
    }

    void start()
    {
        executor.execute(this::connect);
    }

    /** Runs {@code task} on the xds thread. */
    void execute(final Runnable task)
    {
        executor.execute(task);
    }

    long reconnects()
    {
        return reconnects;
    }

    /** The subscription for {@code typeUrl} changed (xds thread): ask again with the new names. */
    void resubscribe(final String typeUrl)
    {
        if (stream == null || !handler.wanted(typeUrl))
        {
            return;
        }
        final List<String> names = handler.subscriptions(typeUrl);
        if (names.equals(sentSubscriptions.get(typeUrl)))
        {
            return;
        }
        send(request(typeUrl, acceptedVersion.getOrDefault(typeUrl, ""), lastNonce.getOrDefault(typeUrl, ""), null));
    }

    private void connect()
    {
        if (closed)
        {
            return;
        }
        reconnect = null;
        final long id = ++streamId;
        nodeSent = false;
        sentSubscriptions.clear();
        lastNonce.clear();
        channel.resetConnectBackoff();
        final ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> observer = new ClientResponseObserver<>()
        {
            @Override
            public void beforeStart(final ClientCallStreamObserver<DiscoveryRequest> requests)
            {
                stream = requests;
            }

            @Override
            public void onNext(final DiscoveryResponse response)
            {
                if (id == streamId && !closed)
                {
                    onResponse(response);
                }
            }

            @Override
            public void onError(final Throwable error)
            {
                if (id == streamId)
                {
                    onStreamEnd(error.toString());
                }
            }

            @Override
            public void onCompleted()
            {
                if (id == streamId)
                {
                    onStreamEnd("closed by the server");
                }
            }
        };
        AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(observer);
        for (final String type : types)
        {
            if (handler.wanted(type))
            {
                send(request(type, acceptedVersion.getOrDefault(type, ""), "", null));
            }
        }
    }

    private void onResponse(final DiscoveryResponse response)
    {
        if (failures > 0)
        {
            log.accept("gatehouse: xds: connected to " + config.server());
        }
        failures = 0;
        handler.onConnection(true);
        final String type = response.getTypeUrl();
        lastNonce.put(type, response.getNonce());
        final String error = handler.onResponse(response);
        if (error == null)
        {
            acceptedVersion.put(type, response.getVersionInfo());
            rejectedVersion.remove(type);
            renackDelayMs.remove(type);
            send(request(type, response.getVersionInfo(), response.getNonce(), null));
            return;
        }
        final DiscoveryRequest nack = request(type, acceptedVersion.getOrDefault(type, ""), response.getNonce(), error);
        if (!response.getVersionInfo().equals(rejectedVersion.get(type)))
        {
            rejectedVersion.put(type, response.getVersionInfo());
            renackDelayMs.remove(type);
            log.accept("gatehouse: xds: NACK " + shortType(type) + " version " + response.getVersionInfo() + ": " + error);
            send(nack);
            return;
        }
        final long delay = renackDelayMs.merge(type, RENACK_BASE_MS, (a, b) -> Math.min(RENACK_MAX_MS, a * 2));
        final long id = streamId;
        executor.schedule(() ->
        {
            if (id == streamId && response.getNonce().equals(lastNonce.get(type)))
            {
                send(nack);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void onStreamEnd(final String why)
    {
        stream = null;
        handler.onConnection(false);
        if (closed)
        {
            return;
        }
        failures++;
        reconnects++;
        final long ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << Math.min(20, failures - 1));
        final long delay = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
        if (failures == 1 || failures % 10 == 0)
        {
            log.accept("gatehouse: xds: stream to " + config.server() + " ended (" + why + "); retrying in " + delay
                + " ms; the last accepted config keeps serving");
        }
        try
        {
            reconnect = executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            // closing
        }
    }

    private DiscoveryRequest request(final String type, final String version, final String nonce, final String error)
    {
        final DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .setVersionInfo(version)
            .setResponseNonce(nonce)
            .addAllResourceNames(handler.subscriptions(type));
        if (!nodeSent)
        {
            request.setNode(Node.newBuilder().setId(config.nodeId()).setCluster(config.nodeCluster())
                .setMetadata(struct(config.metadata())).setUserAgentName("gatehouse").build());
        }
        if (error != null)
        {
            request.setErrorDetail(Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(error).build());
        }
        return request.build();
    }

    private void send(final DiscoveryRequest request)
    {
        final ClientCallStreamObserver<DiscoveryRequest> out = stream;
        if (out == null || closed)
        {
            return;
        }
        try
        {
            out.onNext(request);
            nodeSent = true;
            sentSubscriptions.put(request.getTypeUrl(), List.copyOf(request.getResourceNamesList()));
        }
        catch (final RuntimeException ex)
        {
            log.accept("gatehouse: xds: sending a request failed: " + ex);
        }
    }

    /** The node metadata as a protobuf Struct (strings, lists, maps). */
    static com.google.protobuf.Struct struct(final Map<String, Object> values)
    {
        final com.google.protobuf.Struct.Builder struct = com.google.protobuf.Struct.newBuilder();
        values.forEach((key, value) -> struct.putFields(key, value(value)));
        return struct.build();
    }

    @SuppressWarnings("unchecked")
    private static com.google.protobuf.Value value(final Object value)
    {
        if (value instanceof Map<?, ?> map)
        {
            return com.google.protobuf.Value.newBuilder().setStructValue(struct((Map<String, Object>)map)).build();
        }
        if (value instanceof List<?> list)
        {
            final com.google.protobuf.ListValue.Builder out = com.google.protobuf.ListValue.newBuilder();
            list.forEach(item -> out.addValues(value(item)));
            return com.google.protobuf.Value.newBuilder().setListValue(out).build();
        }
        return com.google.protobuf.Value.newBuilder().setStringValue(String.valueOf(value)).build();
    }

    static String shortType(final String typeUrl)
    {
        if (typeUrl.endsWith(".Listener"))
        {
            return "lds";
        }
        if (typeUrl.endsWith(".Cluster"))
        {
            return "cds";
        }
        if (typeUrl.endsWith(".ClusterLoadAssignment"))
        {
            return "eds";
        }
        return typeUrl;
    }

    /** Ends the stream and the channel; waits up to two seconds for the xds thread. */
    @Override
    public void close()
    {
        try
        {
            executor.submit(() ->
            {
                closed = true;
                if (reconnect != null)
                {
                    reconnect.cancel(false);
                }
                final ClientCallStreamObserver<DiscoveryRequest> out = stream;
                stream = null;
                if (out != null)
                {
                    out.cancel("gatehouse is stopping", null);
                }
            }).get(2, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            log.accept("gatehouse: xds: closing the stream: " + ex);
        }
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
