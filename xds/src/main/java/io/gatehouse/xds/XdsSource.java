package io.gatehouse.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;
import io.gatehouse.router.config.BackendConfig;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.XdsConfig;
import io.gatehouse.router.control.ConfigSource;
import io.gatehouse.router.admin.ReloadOutcome;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The router's listeners from an ADS server: a {@link ConfigSource} that keeps the accepted LDS, CDS and EDS
 * resources, turns them into {@link ListenerConfig}s after every response ({@link XdsTranslator}) and offers
 * the whole set to the reloader; the response is ACKed when that set was applied (or nothing changed) and
 * NACKed with the reason otherwise (a resource the translator rejects, a name or address that clashes with
 * the file's listeners, an address that cannot be bound), and the resources of a NACKed response are
 * forgotten, so the last accepted config keeps serving.
 *
 * <p>Warming, as Envoy: a listener whose clusters (or their EDS endpoints) are not known yet keeps the
 * version it was last served with, and a new one is not served until they are; EDS is asked for the
 * {@code service_name}s of the accepted EDS clusters, and once a cluster is gone its endpoints are forgotten.
 *
 * <p>Threads: every response on the xds thread; {@link #writeTo}, {@link #versions()} and {@link #connected()}
 * from any thread (volatile reads).
 */
public final class XdsSource implements ConfigSource, MetricsSource
{
    public static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    public static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    public static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    private static final List<String> TYPES = List.of(CDS, EDS, LDS);

    private final XdsConfig config;
    private final XdsTranslator translator;
    private final Consumer<String> log;
    private final LongSupplier epochMillis;
    private final AdsClient client;
    private Sink sink;

    private Map<String, ListenerPlan> listeners = Map.of();
    private Map<String, ClusterPlan> clusters = Map.of();
    private Map<String, List<BackendConfig>> assignments = Map.of();
    private Map<String, ListenerConfig> served = Map.of();

    private final Map<String, Counts> counts = new LinkedHashMap<>();
    private volatile Map<String, String> versions = Map.of();
    private volatile boolean connected;

    /** Per type: what was received, accepted, rejected, and when the last of each was. */
    private static final class Counts
    {
        volatile long received;
        volatile long accepted;
        volatile long rejected;
        volatile long lastReceivedEpochMs;
        volatile long lastAcceptedEpochMs;
        volatile long lastRejectedEpochMs;
    }

    /**
     * @param file the file's config (its {@code xds:} and {@code runtime.idle_timeout} are read).
     * @throws IllegalArgumentException when {@code xds.tls} names files that cannot be read or used.
     */
    public XdsSource(final GatehouseConfig file, final Consumer<String> log, final LongSupplier epochMillis)
    {
        this.config = Objects.requireNonNull(file.xds(), "the config has no xds:");
        this.translator = new XdsTranslator(file.runtime().idleTimeoutMs());
        this.log = log;
        this.epochMillis = epochMillis;
        if (config.tls() != null)
        {
            for (final var path : new java.nio.file.Path[] {config.tls().ca(), config.tls().cert(), config.tls().key()})
            {
                if (path != null && !Files.isReadable(path))
                {
                    throw new IllegalArgumentException("xds.tls: cannot read " + path);
                }
            }
        }
        for (final String type : TYPES)
        {
            counts.put(type, new Counts());
        }
        this.client = new AdsClient(config, TYPES, new Handler(), log);
    }

    /** What {@code gatehouse run} passes to {@code RouterProcess}: a source when the file holds {@code xds:}. */
    public static ConfigSource.Factory factory()
    {
        return (file, log) -> file.xds() == null ? null : new XdsSource(file, log, System::currentTimeMillis);
    }

    @Override
    public void start(final Sink sink)
    {
        this.sink = Objects.requireNonNull(sink);
        log.accept("gatehouse: xds: ADS to " + config.server() + " as node " + config.nodeId()
            + (config.tls() == null ? " (plaintext, loopback)" : " (TLS)"));
        client.start();
    }

    @Override
    public void close()
    {
        client.close();
    }

    /**
     * The accepted version of each type, {@code lds}, {@code cds}, {@code eds} (absent until one is accepted):
     * what {@code GET /config} shows beside the generation. Any thread.
     */
    @Override
    public Map<String, String> versions()
    {
        return versions;
    }

    /** Whether the ADS stream is up (a response arrived on it and it has not ended). Any thread. */
    public boolean connected()
    {
        return connected;
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        final SnapshotWriter.Family received = writer.counter("gatehouse_xds_responses_received_total",
            "xDS responses received, by type (lds, cds, eds).");
        final SnapshotWriter.Family accepted = writer.counter("gatehouse_xds_responses_accepted_total",
            "xDS responses ACKed (and their config applied), by type.");
        final SnapshotWriter.Family rejected = writer.counter("gatehouse_xds_responses_rejected_total",
            "xDS responses NACKed (the last accepted config keeps serving), by type.");
        final SnapshotWriter.Family lastReceived = writer.gauge("gatehouse_xds_last_received_timestamp_seconds",
            "When a response of this type was last received (Unix time; 0 = never).");
        final SnapshotWriter.Family last = writer.gauge("gatehouse_xds_last_accepted_timestamp_seconds",
            "When a response of this type was last accepted (Unix time; 0 = never).");
        final SnapshotWriter.Family lastRejected = writer.gauge("gatehouse_xds_last_rejected_timestamp_seconds",
            "When a response of this type was last NACKed (Unix time; 0 = never).");
        for (final Map.Entry<String, Counts> entry : counts.entrySet())
        {
            final String type = AdsClient.shortType(entry.getKey());
            final Counts c = entry.getValue();
            received.sample(c.received, "type", type);
            accepted.sample(c.accepted, "type", type);
            rejected.sample(c.rejected, "type", type);
            lastReceived.sample(c.lastReceivedEpochMs / 1000.0, "type", type);
            last.sample(c.lastAcceptedEpochMs / 1000.0, "type", type);
            lastRejected.sample(c.lastRejectedEpochMs / 1000.0, "type", type);
        }
        writer.gauge("gatehouse_xds_connected", "1 while the ADS stream to the control plane is up.").sample(connected ? 1 : 0);
        writer.counter("gatehouse_xds_stream_restarts_total", "ADS streams that ended and were opened again.")
            .sample(client.reconnects());
    }

    /** The AdsClient's callbacks, on the xds thread. */
    private final class Handler implements AdsClient.Handler
    {
        @Override
        public String onResponse(final DiscoveryResponse response)
        {
            final String type = response.getTypeUrl();
            final Counts c = counts.get(type);
            if (c == null)
            {
                return "type " + type + " is not supported (gatehouse subscribes to Listener, Cluster, ClusterLoadAssignment)";
            }
            c.received++;
            c.lastReceivedEpochMs = epochMillis.getAsLong();
            final String error = apply(type, response);
            if (error == null)
            {
                c.accepted++;
                c.lastAcceptedEpochMs = epochMillis.getAsLong();
                final Map<String, String> next = new TreeMap<>(versions);
                next.put(AdsClient.shortType(type), response.getVersionInfo());
                versions = java.util.Collections.unmodifiableMap(next);
            }
            else
            {
                c.rejected++;
                c.lastRejectedEpochMs = epochMillis.getAsLong();
            }
            if (type.equals(CDS))
            {
                client.resubscribe(EDS);
            }
            return error;
        }

        @Override
        public List<String> subscriptions(final String typeUrl)
        {
            return typeUrl.equals(EDS) ? edsNames(clusters) : List.of();
        }

        @Override
        public boolean wanted(final String typeUrl)
        {
            return !typeUrl.equals(EDS) || !edsNames(clusters).isEmpty();
        }

        @Override
        public void onConnection(final boolean up)
        {
            connected = up;
        }
    }

    private static List<String> edsNames(final Map<String, ClusterPlan> clusters)
    {
        final Set<String> names = new LinkedHashSet<>();
        for (final ClusterPlan cluster : clusters.values())
        {
            if (cluster.edsServiceName() != null)
            {
                names.add(cluster.edsServiceName());
            }
        }
        return List.copyOf(new java.util.TreeSet<>(names));
    }

    /** Takes in one response; {@code null} when accepted, else the NACK's error detail. */
    private String apply(final String type, final DiscoveryResponse response)
    {
        Map<String, ListenerPlan> nextListeners = listeners;
        Map<String, ClusterPlan> nextClusters = clusters;
        Map<String, List<BackendConfig>> nextAssignments = assignments;
        try
        {
            switch (type)
            {
                case LDS ->
                {
                    nextListeners = new LinkedHashMap<>();
                    for (final Any any : response.getResourcesList())
                    {
                        final ListenerPlan plan = translator.listener(unpack(any, Listener.class, "Listener"));
                        if (nextListeners.put(plan.name(), plan) != null)
                        {
                            throw new XdsRejection("Listener", plan.name(), "name", "sent twice in one response");
                        }
                    }
                }
                case CDS ->
                {
                    nextClusters = new LinkedHashMap<>();
                    for (final Any any : response.getResourcesList())
                    {
                        final ClusterPlan plan = translator.cluster(unpack(any, Cluster.class, "Cluster"));
                        if (nextClusters.put(plan.name(), plan) != null)
                        {
                            throw new XdsRejection("Cluster", plan.name(), "name", "sent twice in one response");
                        }
                    }
                    final Set<String> wanted = new java.util.HashSet<>(edsNames(nextClusters));
                    nextAssignments = new HashMap<>(assignments);
                    nextAssignments.keySet().retainAll(wanted);
                }
                default ->
                {
                    nextAssignments = new HashMap<>(assignments);
                    final Set<String> seen = new java.util.HashSet<>();
                    for (final Any any : response.getResourcesList())
                    {
                        final ClusterLoadAssignment assignment = unpack(any, ClusterLoadAssignment.class, "ClusterLoadAssignment");
                        if (!seen.add(assignment.getClusterName()))
                        {
                            throw new XdsRejection("ClusterLoadAssignment", assignment.getClusterName(), "cluster_name",
                                "sent twice in one response");
                        }
                        nextAssignments.put(assignment.getClusterName(), translator.assignment(assignment));
                    }
                }
            }
            final Map<String, ListenerConfig> nextServed = new LinkedHashMap<>();
            for (final ListenerPlan plan : nextListeners.values())
            {
                ListenerConfig built = translator.build(plan, nextClusters, nextAssignments);
                if (built == null)
                {
                    built = served.get(plan.name());
                }
                if (built != null)
                {
                    nextServed.put(plan.name(), built);
                }
            }
            if (!nextServed.equals(served))
            {
                final ReloadOutcome outcome = sink.offer("xds " + AdsClient.shortType(type) + " version "
                    + response.getVersionInfo(), new ArrayList<>(nextServed.values()));
                if (!outcome.applied())
                {
                    return outcome.message();
                }
            }
            listeners = nextListeners;
            clusters = nextClusters;
            assignments = nextAssignments;
            served = nextServed;
            return null;
        }
        catch (final XdsRejection ex)
        {
            return ex.getMessage();
        }
        catch (final RuntimeException ex)
        {
            return "cannot apply: " + ex;
        }
    }

    private static <T extends com.google.protobuf.Message> T unpack(final Any any, final Class<T> type, final String kind)
        throws XdsRejection
    {
        try
        {
            return any.unpack(type);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new XdsRejection(kind, "?", "resources", "a " + XdsTranslator.typeName(any) + " where a " + kind
                + " was expected, or undecodable: " + ex.getMessage());
        }
    }
}
