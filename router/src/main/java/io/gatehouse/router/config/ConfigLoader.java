package io.gatehouse.router.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a YAML config into a validated {@link GatehouseConfig}, or a {@link ConfigException} whose
 * message is one line, {@code FILE:LINE:COLUMN: what is wrong}. Every key is known (an unknown key is
 * an error at its position), every value is checked, and cross-references ({@code default},
 * {@code server_first.route}) must name a route. Things that are legal but probably not meant come back
 * as warnings ({@link Loaded#warnings()}), each {@code FILE:LINE:COLUMN: warning: ...}.
 * See {@code router/README-operations.md} for every key and its default.
 *
 * <p>Control thread only; allocates freely; stateless between calls.
 */
public final class ConfigLoader
{
    /** The longest file read: configs are small; anything bigger is a mistake. */
    public static final int MAX_CONFIG_BYTES = 4 * 1024 * 1024;

    private static final Pattern DURATION = Pattern.compile("(?:[0-9]{1,9}(?:\\.[0-9]{1,9})?(?:ms|s|m|h))+");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]{1,9}(?:\\.[0-9]{1,9})?)(ms|s|m|h)");
    private static final Set<String> TOP_KEYS = Set.of("listeners", "admin", "runtime", "xds");
    private static final Set<String> XDS_KEYS = Set.of("server", "node", "tls");
    private static final Set<String> XDS_NODE_KEYS = Set.of("id", "cluster", "metadata");
    private static final Set<String> XDS_TLS_KEYS = Set.of("ca", "cert", "key");
    private static final Set<String> ADMIN_KEYS = Set.of("address", "token_file");
    private static final Set<String> RUNTIME_KEYS = Set.of(
        "transport", "workers", "drain_timeout", "idle_timeout", "access_log", "max_connections", "watch_config",
        "drain_settle", "removed_route_drain");
    private static final Set<String> LISTENER_KEYS = Set.of(
        "name", "address", "protocol", "relay", "allow", "deny", "routes", "default", "server_first", "peek_timeout",
        "peek_max_bytes", "proxy_protocol_from", "limits", "half_closed_timeout");
    private static final Set<String> SERVER_FIRST_KEYS = Set.of("route", "delay");
    private static final Set<String> LIMIT_KEYS = Set.of(
        "max_connections_per_source", "new_connections_per_second_per_source", "burst");
    private static final Set<String> ROUTE_KEYS = Set.of(
        "hostnames", "alpn", "backends", "balance", "hash_key", "proxy_protocol", "connect_timeout", "connect_attempts",
        "allow", "deny", "health");
    private static final Set<String> BACKEND_KEYS = Set.of("address", "weight");
    private static final Set<String> HEALTH_KEYS = Set.of(
        "check", "interval", "timeout", "rise", "fall", "eject_after", "eject_backoff", "eject_backoff_max", "when_all_down");

    /** The default admin address when {@code admin:} is given without one. */
    public static final HostPort DEFAULT_ADMIN_ADDRESS = new HostPort("127.0.0.1", 9901);
    public static final long DEFAULT_SERVER_FIRST_DELAY_MS = 300;
    public static final int MIN_PEEK_MAX_BYTES = 256;

    private final String file;
    private final Path source;
    private final List<String> warnings = new ArrayList<>();

    /** A config and the warnings found while validating it. */
    public record Loaded(GatehouseConfig config, List<String> warnings)
    {
        public Loaded
        {
            warnings = List.copyOf(warnings);
        }
    }

    /** Every key the loader knows, for the documentation check. */
    static Set<String> knownKeys()
    {
        final Set<String> all = new java.util.TreeSet<>();
        for (final Set<String> keys : List.of(TOP_KEYS, ADMIN_KEYS, RUNTIME_KEYS, LISTENER_KEYS, SERVER_FIRST_KEYS, LIMIT_KEYS,
            ROUTE_KEYS, BACKEND_KEYS, HEALTH_KEYS, XDS_KEYS, XDS_NODE_KEYS, XDS_TLS_KEYS))
        {
            all.addAll(keys);
        }
        return all;
    }

    private ConfigLoader(final Path source, final String file)
    {
        this.source = source;
        this.file = file;
    }

    /** Reads and validates a config file. */
    public static GatehouseConfig load(final Path path) throws ConfigException
    {
        return loadWithWarnings(path).config();
    }

    /** Validates config text; {@code nameForErrors} is what error messages and {@link GatehouseConfig#source()} carry. */
    public static GatehouseConfig parse(final String text, final Path nameForErrors) throws ConfigException
    {
        return parseWithWarnings(text, nameForErrors).config();
    }

    /** As {@link #load(Path)}, with the warnings. */
    public static Loaded loadWithWarnings(final Path path) throws ConfigException
    {
        final String name = path.toString();
        final byte[] bytes;
        try
        {
            if (Files.isDirectory(path))
            {
                throw new ConfigException(name, 0, 0, "is a directory, not a config file");
            }
            if (Files.size(path) > MAX_CONFIG_BYTES)
            {
                throw new ConfigException(name, 0, 0, "larger than " + MAX_CONFIG_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(path);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            throw new ConfigException(name, 0, 0, "no such file");
        }
        catch (final java.nio.file.AccessDeniedException ex)
        {
            throw new ConfigException(name, 0, 0, "permission denied");
        }
        catch (final IOException ex)
        {
            throw new ConfigException(name, 0, 0, "cannot read: " + ex.getMessage());
        }
        final String text;
        try
        {
            text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new ConfigException(name, 0, 0, "not valid UTF-8 text");
        }
        return parseWithWarnings(text, path);
    }

    /** As {@link #parse(String, Path)}, with the warnings. */
    public static Loaded parseWithWarnings(final String text, final Path nameForErrors) throws ConfigException
    {
        final ConfigLoader loader = new ConfigLoader(nameForErrors, nameForErrors == null ? "<config>" : nameForErrors.toString());
        final GatehouseConfig config = loader.build(YamlComposer.read(text, loader.file));
        return new Loaded(config, loader.warnings);
    }

    private GatehouseConfig build(final YamlNode root) throws ConfigException
    {
        if (root == null)
        {
            throw new ConfigException(file, 1, 1, "empty config: expected a mapping with 'listeners:'");
        }
        final YamlNode.Mapping top = withoutExtensions(mapping(root, "the config"));
        checkKeys(top, TOP_KEYS, "the config");
        final RuntimeConfig runtime = runtime(top.get("runtime"));
        final XdsConfig xds = xds(top.get("xds"));
        final YamlNode listenersNode = top.get("listeners");
        if (listenersNode == null && xds == null)
        {
            throw new ConfigException(file, top.line(), top.column(), "missing 'listeners:' (at least one listener, or 'xds:')");
        }
        final YamlNode.Sequence listenerSeq = listenersNode == null ? null : sequence(listenersNode, "listeners");
        if (listenerSeq != null && listenerSeq.items().isEmpty() && xds == null)
        {
            throw error(listenerSeq, "'listeners' needs at least one listener");
        }
        final List<ListenerConfig> listeners = new ArrayList<>();
        final Map<String, YamlNode> names = new HashMap<>();
        final Map<HostPort, YamlNode> addresses = new HashMap<>();
        for (final YamlNode item : listenerSeq == null ? List.<YamlNode>of() : listenerSeq.items())
        {
            final ListenerConfig listener = listener(item, runtime);
            final YamlNode.Mapping map = (YamlNode.Mapping)item;
            final YamlNode nameNode = map.get("name") != null ? map.get("name") : map.get("address");
            final YamlNode previous = names.putIfAbsent(listener.name(), nameNode);
            if (previous != null)
            {
                throw error(nameNode, "duplicate listener name '" + listener.name() + "' (first at line " + previous.line() + ")");
            }
            if (listener.address().port() != 0)
            {
                final YamlNode previousAddress = addresses.putIfAbsent(listener.address(), map.get("address"));
                if (previousAddress != null)
                {
                    throw error(map.get("address"), "duplicate listener address " + listener.address() + " (first at line "
                        + previousAddress.line() + ")");
                }
            }
            listeners.add(listener);
        }
        final AdminConfig admin = admin(top.get("admin"));
        if (admin != null && admin.address().port() != 0 && addresses.containsKey(admin.address()))
        {
            throw error(((YamlNode.Mapping)top.get("admin")).get("address"), "the admin address " + admin.address()
                + " is also a listener's address");
        }
        return new GatehouseConfig(source, listeners, admin, runtime, xds);
    }

    /** {@code xds:} (see {@link XdsConfig}); a server off loopback needs {@code tls.ca}. */
    private XdsConfig xds(final YamlNode node) throws ConfigException
    {
        if (node == null || isNull(node))
        {
            return null;
        }
        final YamlNode.Mapping map = mapping(node, "xds");
        checkKeys(map, XDS_KEYS, "xds");
        if (map.get("server") == null)
        {
            throw error(map, "xds needs 'server: host:port' (the ADS server)");
        }
        final HostPort server = hostPort(map.get("server"), false);
        String nodeId = null;
        String nodeCluster = "";
        Map<String, Object> metadata = Map.of();
        if (map.get("node") != null)
        {
            final YamlNode.Mapping nodeMap = mapping(map.get("node"), "xds.node");
            checkKeys(nodeMap, XDS_NODE_KEYS, "xds.node");
            if (nodeMap.get("id") != null)
            {
                nodeId = scalar(nodeMap.get("id"), "xds.node.id").value();
            }
            if (nodeMap.get("cluster") != null)
            {
                nodeCluster = scalar(nodeMap.get("cluster"), "xds.node.cluster").value();
            }
            if (nodeMap.get("metadata") != null && !isNull(nodeMap.get("metadata")))
            {
                mapping(nodeMap.get("metadata"), "xds.node.metadata");
                @SuppressWarnings("unchecked")
                final Map<String, Object> values = (Map<String, Object>)plain(nodeMap.get("metadata"));
                metadata = values;
            }
        }
        if (nodeId == null || nodeId.isBlank())
        {
            throw error(map, "xds needs 'node: {id: NAME}' (the control plane groups proxies by node id)");
        }
        XdsConfig.Tls tls = null;
        if (map.get("tls") != null && !isNull(map.get("tls")))
        {
            final YamlNode.Mapping tlsMap = mapping(map.get("tls"), "xds.tls");
            checkKeys(tlsMap, XDS_TLS_KEYS, "xds.tls");
            if (tlsMap.get("ca") == null)
            {
                throw error(tlsMap, "xds.tls needs 'ca: FILE' (the CA the control plane's certificate chains to)");
            }
            if ((tlsMap.get("cert") == null) != (tlsMap.get("key") == null))
            {
                throw error(tlsMap, "xds.tls needs both 'cert:' and 'key:', or neither");
            }
            tls = new XdsConfig.Tls(
                Path.of(scalar(tlsMap.get("ca"), "xds.tls.ca").value()),
                tlsMap.get("cert") == null ? null : Path.of(scalar(tlsMap.get("cert"), "xds.tls.cert").value()),
                tlsMap.get("key") == null ? null : Path.of(scalar(tlsMap.get("key"), "xds.tls.key").value()));
        }
        else if (!AdminConfig.isLoopback(server.host()))
        {
            throw error(map.get("server"), "xds server " + server + " is not on loopback: add 'tls: {ca: FILE}' "
                + "(plaintext xDS is allowed to 127.0.0.0/8, ::1 and localhost only)");
        }
        return new XdsConfig(server, nodeId, nodeCluster, tls, metadata);
    }

    /** A YAML value as strings, lists and maps (for {@code xds.node.metadata}, which gatehouse only passes on). */
    private static Object plain(final YamlNode node)
    {
        if (node instanceof YamlNode.Mapping map)
        {
            final Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (final YamlNode.Entry entry : map.entries())
            {
                out.put(entry.key().value(), plain(entry.value()));
            }
            return out;
        }
        if (node instanceof YamlNode.Sequence sequence)
        {
            final List<Object> out = new ArrayList<>();
            sequence.items().forEach(item -> out.add(plain(item)));
            return out;
        }
        return ((YamlNode.Scalar)node).value();
    }

    /** Top-level keys starting with {@code x-} are the operator's (a place for anchors), as in Compose files. */
    private static YamlNode.Mapping withoutExtensions(final YamlNode.Mapping top)
    {
        return new YamlNode.Mapping(top.entries().stream().filter(entry -> !entry.key().value().startsWith("x-")).toList(),
            top.line(), top.column());
    }

    private RuntimeConfig runtime(final YamlNode node) throws ConfigException
    {
        if (node == null || isNull(node))
        {
            return RuntimeConfig.DEFAULT;
        }
        final YamlNode.Mapping map = mapping(node, "runtime");
        checkKeys(map, RUNTIME_KEYS, "runtime");
        final RuntimeConfig.Transport transport = enumValue(map.get("transport"), RuntimeConfig.Transport.class,
            RuntimeConfig.Transport.AUTO);
        final int workers = intValue(map.get("workers"), 0, 0, 1024);
        final long drainMs = duration(map.get("drain_timeout"), RuntimeConfig.DEFAULT_DRAIN_TIMEOUT_MS, 0, 3_600_000);
        final long idleMs = duration(map.get("idle_timeout"), RuntimeConfig.DEFAULT_IDLE_TIMEOUT_MS, 1, 86_400_000);
        String accessLog = null;
        final YamlNode logNode = map.get("access_log");
        if (logNode != null && !isNull(logNode))
        {
            final YamlNode.Scalar scalar = scalar(logNode, "access_log");
            if (!(scalar.value().equals("off") && !scalar.quoted()))
            {
                if (scalar.value().isBlank())
                {
                    throw error(logNode, "access_log must be a path, \"-\" for stderr, or off");
                }
                accessLog = scalar.value();
            }
        }
        final int maxConnections = intValue(map.get("max_connections"), 0, 0, 10_000_000);
        final boolean watch = boolValue(map.get("watch_config"), false);
        final long settleMs = duration(map.get("drain_settle"), RuntimeConfig.DEFAULT_DRAIN_SETTLE_MS, 0, 600_000);
        final long removedRouteDrainMs = duration(map.get("removed_route_drain"), RuntimeConfig.DEFAULT_REMOVED_ROUTE_DRAIN_MS, 0,
            3_600_000);
        return new RuntimeConfig(transport, workers, drainMs, idleMs, accessLog, maxConnections, watch, settleMs,
            removedRouteDrainMs);
    }

    private AdminConfig admin(final YamlNode node) throws ConfigException
    {
        if (node == null || isNull(node))
        {
            return null;
        }
        final YamlNode.Mapping map = mapping(node, "admin");
        checkKeys(map, ADMIN_KEYS, "admin");
        final YamlNode address = map.get("address");
        final HostPort bound = address == null ? DEFAULT_ADMIN_ADDRESS : hostPort(address, true);
        final YamlNode tokenNode = map.get("token_file");
        String tokenFile = null;
        if (tokenNode != null && !isNull(tokenNode))
        {
            tokenFile = scalar(tokenNode, "token_file").value();
            if (tokenFile.isBlank())
            {
                throw error(tokenNode, "token_file must be the path of a file holding the admin bearer token");
            }
        }
        if (tokenFile == null && !AdminConfig.isLoopback(bound.host()))
        {
            warn(address, "the admin address " + bound + " is not loopback and no admin.token_file is set: anyone who reaches it"
                + " can POST /reload and /backends");
        }
        return new AdminConfig(bound, tokenFile);
    }

    private ListenerConfig listener(final YamlNode node, final RuntimeConfig runtime) throws ConfigException
    {
        final YamlNode.Mapping map = mapping(node, "a listener");
        checkKeys(map, LISTENER_KEYS, "a listener");
        final YamlNode addressNode = map.get("address");
        if (addressNode == null)
        {
            throw error(map, "a listener needs 'address: host:port'");
        }
        final HostPort address = hostPort(addressNode, true);
        final String name;
        if (map.get("name") != null)
        {
            name = scalar(map.get("name"), "name").value();
            if (name.isBlank() || !name.chars().allMatch(c -> c > ' ' && c < 127 && c != '"' && c != '\\'))
            {
                throw error(map.get("name"), "a listener name must be printable ASCII without spaces or quotes");
            }
        }
        else
        {
            name = address.toString();
        }
        final ListenerConfig.Protocol protocol = enumValue(map.get("protocol"), ListenerConfig.Protocol.class,
            ListenerConfig.Protocol.AUTO);
        final ListenerConfig.RelayMode relay = enumValue(map.get("relay"), ListenerConfig.RelayMode.class,
            ListenerConfig.RelayMode.COPY);
        if (relay == ListenerConfig.RelayMode.SPLICE)
        {
            switch (runtime.transport())
            {
                // auto picks epoll wherever epoll loads; on a host without it the relay logs its fallback to copy once
                case EPOLL, AUTO -> { }
                default -> throw error(map.get("relay"), "relay: splice needs runtime.transport: epoll (it is "
                    + runtime.transport().name().toLowerCase(Locale.ROOT) + ")");
            }
        }
        final List<Cidr> allow = cidrs(map.get("allow"), "allow");
        final List<Cidr> deny = cidrs(map.get("deny"), "deny");
        final List<Cidr> proxyFrom = cidrs(map.get("proxy_protocol_from"), "proxy_protocol_from");
        final long peekTimeoutMs = duration(map.get("peek_timeout"), ListenerConfig.DEFAULT_PEEK_TIMEOUT_MS, 1, 600_000);
        final long halfClosedTimeoutMs = duration(map.get("half_closed_timeout"), ListenerConfig.DEFAULT_HALF_CLOSED_TIMEOUT_MS,
            1, 86_400_000);
        final int peekMaxBytes = intValue(map.get("peek_max_bytes"), ListenerConfig.DEFAULT_PEEK_MAX_BYTES,
            MIN_PEEK_MAX_BYTES, ListenerConfig.PEEK_MAX_BYTES_CAP);
        final SourceLimitConfig limits = limits(map.get("limits"));

        final YamlNode routesNode = map.get("routes");
        if (routesNode == null)
        {
            throw error(map, "a listener needs 'routes:' (at least one route)");
        }
        final YamlNode.Sequence routeSeq = sequence(routesNode, "routes");
        if (routeSeq.items().isEmpty())
        {
            throw error(routeSeq, "'routes' needs at least one route");
        }
        final List<RouteConfig> routes = new ArrayList<>();
        final List<List<YamlNode>> hostnameNodes = new ArrayList<>();
        for (final YamlNode item : routeSeq.items())
        {
            final List<YamlNode> nodes = new ArrayList<>();
            routes.add(route(item, nodes));
            hostnameNodes.add(nodes);
        }
        checkDuplicateNames(routes, hostnameNodes);
        warnings.addAll(RouteWarnings.check(file, routes, (r, h) ->
            new RouteWarnings.Position(hostnameNodes.get(r).get(h).line(), hostnameNodes.get(r).get(h).column())));

        String defaultRoute = null;
        final YamlNode defaultNode = map.get("default");
        if (defaultNode != null && !isNull(defaultNode))
        {
            final YamlNode.Scalar scalar = scalar(defaultNode, "default");
            if (!(scalar.value().equals("reject") && !scalar.quoted()))
            {
                defaultRoute = routeReference(scalar, routes, "default");
            }
        }
        String serverFirstRoute = null;
        long serverFirstDelayMs = 0;
        final YamlNode serverFirstNode = map.get("server_first");
        if (serverFirstNode != null && !isNull(serverFirstNode))
        {
            final YamlNode.Mapping sf = mapping(serverFirstNode, "server_first");
            checkKeys(sf, SERVER_FIRST_KEYS, "server_first");
            if (sf.get("route") == null)
            {
                throw error(sf, "server_first needs 'route:' naming a route hostname");
            }
            serverFirstRoute = routeReference(scalar(sf.get("route"), "route"), routes, "server_first.route");
            serverFirstDelayMs = duration(sf.get("delay"), DEFAULT_SERVER_FIRST_DELAY_MS, 1, 60_000);
            if (serverFirstDelayMs >= peekTimeoutMs)
            {
                throw error(sf.get("delay") != null ? sf.get("delay") : sf, "server_first.delay (" + serverFirstDelayMs
                    + "ms) must be shorter than peek_timeout (" + peekTimeoutMs + "ms)");
            }
        }
        return new ListenerConfig(name, address, protocol, relay, allow, deny, routes, defaultRoute, serverFirstRoute,
            serverFirstDelayMs, peekTimeoutMs, peekMaxBytes, proxyFrom, limits, halfClosedTimeoutMs);
    }

    private SourceLimitConfig limits(final YamlNode node) throws ConfigException
    {
        if (node == null || isNull(node))
        {
            return SourceLimitConfig.NONE;
        }
        final YamlNode.Mapping map = mapping(node, "limits");
        checkKeys(map, LIMIT_KEYS, "limits");
        final int maxPerSource = intValue(map.get("max_connections_per_source"), 0, 0, 1_000_000);
        final int rate = intValue(map.get("new_connections_per_second_per_source"), 0, 0, 1_000_000);
        final int burst = intValue(map.get("burst"), Math.max(1, rate), 1, 1_000_000);
        if (map.get("burst") != null && rate == 0)
        {
            throw error(map.get("burst"), "burst needs new_connections_per_second_per_source");
        }
        return new SourceLimitConfig(maxPerSource, rate, rate == 0 ? 0 : burst);
    }

    private String routeReference(final YamlNode.Scalar scalar, final List<RouteConfig> routes, final String key)
        throws ConfigException
    {
        final String name;
        try
        {
            name = Hostname.normalise(scalar.value());
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(scalar, key + ": " + ex.getMessage());
        }
        for (final RouteConfig route : routes)
        {
            if (route.hostnames().contains(name))
            {
                return name;
            }
        }
        throw error(scalar, key + ": no route has the hostname '" + name + "'"
            + (key.equals("default") ? " (write 'reject' or one of the routes' hostnames)" : ""));
    }

    private RouteConfig route(final YamlNode node, final List<YamlNode> hostnameNodes) throws ConfigException
    {
        final YamlNode.Mapping map = mapping(node, "a route");
        checkKeys(map, ROUTE_KEYS, "a route");
        final YamlNode namesNode = map.get("hostnames");
        if (namesNode == null)
        {
            throw error(map, "a route needs 'hostnames:' (a list of names)");
        }
        final YamlNode.Sequence nameSeq = sequence(namesNode, "hostnames");
        if (nameSeq.items().isEmpty())
        {
            throw error(nameSeq, "'hostnames' needs at least one name");
        }
        final List<String> hostnames = new ArrayList<>();
        for (final YamlNode item : nameSeq.items())
        {
            final YamlNode.Scalar scalar = scalar(item, "a hostname");
            final String name;
            try
            {
                name = Hostname.normalise(scalar.value());
            }
            catch (final IllegalArgumentException ex)
            {
                throw error(scalar, ex.getMessage());
            }
            if (hostnames.contains(name))
            {
                throw error(scalar, "hostname '" + name + "' appears twice in this route");
            }
            hostnames.add(name);
            hostnameNodes.add(scalar);
        }
        final List<String> alpn = new ArrayList<>();
        final YamlNode alpnNode = map.get("alpn");
        if (alpnNode != null && !isNull(alpnNode))
        {
            for (final YamlNode item : sequence(alpnNode, "alpn").items())
            {
                final YamlNode.Scalar scalar = scalar(item, "a protocol name");
                final int length = scalar.value().getBytes(StandardCharsets.UTF_8).length;
                if (length == 0 || length > 255)
                {
                    throw error(scalar, "an ALPN protocol name is 1..255 bytes");
                }
                if (alpn.contains(scalar.value()))
                {
                    throw error(scalar, "ALPN '" + scalar.value() + "' appears twice");
                }
                alpn.add(scalar.value());
            }
        }
        final YamlNode backendsNode = map.get("backends");
        if (backendsNode == null)
        {
            throw error(map, "a route needs 'backends:' (at least one host:port)");
        }
        final YamlNode.Sequence backendSeq = sequence(backendsNode, "backends");
        if (backendSeq.items().isEmpty())
        {
            throw error(backendSeq, "'backends' needs at least one backend");
        }
        final List<BackendConfig> backends = new ArrayList<>();
        final Set<HostPort> seen = new HashSet<>();
        for (final YamlNode item : backendSeq.items())
        {
            final BackendConfig backend = backend(item);
            if (!seen.add(backend.address()))
            {
                throw error(item, "backend " + backend.address() + " appears twice in this route (use weight instead)");
            }
            backends.add(backend);
        }
        final RouteConfig.Balance balance = balance(map.get("balance"));
        final RouteConfig.HashKey hashKey = enumValue(map.get("hash_key"), RouteConfig.HashKey.class, RouteConfig.HashKey.SOURCE_IP);
        if (map.get("hash_key") != null && (balance == RouteConfig.Balance.ROUND_ROBIN || balance == RouteConfig.Balance.LEAST_CONN_P2C))
        {
            warn(map.get("hash_key"), "hash_key is ignored with balance: " + balance.name().toLowerCase(Locale.ROOT));
        }
        final RouteConfig.ProxyProtocolOut proxy = enumValue(map.get("proxy_protocol"), RouteConfig.ProxyProtocolOut.class,
            RouteConfig.ProxyProtocolOut.NONE);
        final long connectTimeoutMs = duration(map.get("connect_timeout"), RouteConfig.DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000);
        final int attempts = intValue(map.get("connect_attempts"), RouteConfig.DEFAULT_CONNECT_ATTEMPTS, 1, 100);
        final List<Cidr> allow = cidrs(map.get("allow"), "allow");
        final List<Cidr> deny = cidrs(map.get("deny"), "deny");
        final HealthCheckConfig health = health(map.get("health"));
        if (health.check() == HealthCheckConfig.Check.TLS && hostnames.stream().allMatch(Hostname::isWildcard))
        {
            throw error(map.get("health"), "check: tls needs an exact hostname in the route to send as SNI");
        }
        return new RouteConfig(hostnames, alpn, backends, balance, hashKey, proxy, connectTimeoutMs, attempts, allow, deny,
            health);
    }

    private RouteConfig.Balance balance(final YamlNode node) throws ConfigException
    {
        if (node == null)
        {
            return RouteConfig.Balance.MAGLEV;
        }
        final YamlNode.Scalar scalar = scalar(node, "balance");
        if (scalar.value().equals("least_conn"))
        {
            return RouteConfig.Balance.LEAST_CONN_P2C;
        }
        if (scalar.value().equals("least_conn_p2c"))
        {
            throw error(node, "unknown balance 'least_conn_p2c' (expected one of: maglev, ring_hash, round_robin, least_conn)");
        }
        return enumValue(node, RouteConfig.Balance.class, RouteConfig.Balance.MAGLEV, "least_conn_p2c", "least_conn");
    }

    private HealthCheckConfig health(final YamlNode node) throws ConfigException
    {
        if (node == null || isNull(node))
        {
            return HealthCheckConfig.DEFAULT;
        }
        final YamlNode.Mapping map = mapping(node, "health");
        checkKeys(map, HEALTH_KEYS, "health");
        final HealthCheckConfig.Check check = enumValue(map.get("check"), HealthCheckConfig.Check.class,
            HealthCheckConfig.Check.NONE);
        final long intervalMs = duration(map.get("interval"), HealthCheckConfig.DEFAULT_INTERVAL_MS, 10, 3_600_000);
        final long timeoutMs = duration(map.get("timeout"), Math.min(HealthCheckConfig.DEFAULT_TIMEOUT_MS, intervalMs), 1, 600_000);
        if (timeoutMs > intervalMs)
        {
            throw error(map.get("timeout"), "health.timeout (" + timeoutMs + "ms) must not be longer than health.interval ("
                + intervalMs + "ms)");
        }
        final int rise = intValue(map.get("rise"), HealthCheckConfig.DEFAULT_RISE, 1, 100);
        final int fall = intValue(map.get("fall"), HealthCheckConfig.DEFAULT_FALL, 1, 100);
        final int ejectAfter = intValue(map.get("eject_after"), HealthCheckConfig.DEFAULT_EJECT_AFTER_FAILURES, 0, 1000);
        final long backoffMs = duration(map.get("eject_backoff"), HealthCheckConfig.DEFAULT_EJECT_BASE_MS, 1, 86_400_000);
        final long backoffMaxMs = duration(map.get("eject_backoff_max"), Math.max(backoffMs, HealthCheckConfig.DEFAULT_EJECT_MAX_MS),
            1, 86_400_000);
        if (backoffMaxMs < backoffMs)
        {
            throw error(map.get("eject_backoff_max"), "eject_backoff_max must not be shorter than eject_backoff");
        }
        final HealthCheckConfig.AllDown allDown = enumValue(map.get("when_all_down"), HealthCheckConfig.AllDown.class,
            HealthCheckConfig.AllDown.FAIL_CLOSED);
        return new HealthCheckConfig(check, intervalMs, timeoutMs, rise, fall, ejectAfter, backoffMs, backoffMaxMs, allDown);
    }

    private BackendConfig backend(final YamlNode node) throws ConfigException
    {
        if (node instanceof YamlNode.Scalar)
        {
            return new BackendConfig(hostPort(node, false), 1);
        }
        if (node instanceof YamlNode.Mapping map)
        {
            checkKeys(map, BACKEND_KEYS, "a backend");
            if (map.get("address") == null)
            {
                throw error(map, "a backend needs 'address: host:port'");
            }
            return new BackendConfig(hostPort(map.get("address"), false), intValue(map.get("weight"), 1, 1, 1000));
        }
        throw error(node, "a backend is \"host:port\" or {address: host:port, weight: N}, not " + node.kind());
    }

    private void checkDuplicateNames(final List<RouteConfig> routes, final List<List<YamlNode>> nodes) throws ConfigException
    {
        final Map<String, Integer> owner = new HashMap<>();
        for (int r = 0; r < routes.size(); r++)
        {
            final RouteConfig route = routes.get(r);
            for (int h = 0; h < route.hostnames().size(); h++)
            {
                final String name = route.hostnames().get(h);
                final Integer other = owner.putIfAbsent(name, r);
                if (other == null)
                {
                    continue;
                }
                final RouteConfig first = routes.get(other);
                final List<String> a = first.alpn();
                final List<String> b = route.alpn();
                final boolean separable = (a.isEmpty() != b.isEmpty()) || (!a.isEmpty() && a.stream().noneMatch(b::contains));
                if (!separable)
                {
                    final YamlNode at = nodes.get(r).get(h);
                    throw error(at, "hostname '" + name + "' is already routed at line " + nodes.get(other).get(
                        first.hostnames().indexOf(name)).line() + (a.isEmpty() && b.isEmpty() ? ""
                        : " with overlapping alpn (routes sharing a name need disjoint alpn lists, or one without alpn)"));
                }
            }
        }
    }

    private List<Cidr> cidrs(final YamlNode node, final String key) throws ConfigException
    {
        if (key.equals("allow") && node != null && (isNull(node) || node instanceof YamlNode.Sequence seq && seq.items().isEmpty()))
        {
            throw error(node, "an empty allow list admits no source: remove 'allow' to admit every source, list the "
                + "sources, or refuse every one with deny: [\"::/0\"]");
        }
        if (node == null || isNull(node))
        {
            return List.of();
        }
        final List<Cidr> out = new ArrayList<>();
        final List<YamlNode> items = node instanceof YamlNode.Scalar ? List.of(node) : sequence(node, key).items();
        for (final YamlNode item : items)
        {
            final YamlNode.Scalar scalar = scalar(item, "a CIDR");
            try
            {
                out.add(Cidr.parse(scalar.value()));
            }
            catch (final IllegalArgumentException ex)
            {
                throw error(scalar, key + ": " + ex.getMessage());
            }
        }
        return out;
    }

    private HostPort hostPort(final YamlNode node, final boolean portZeroAllowed) throws ConfigException
    {
        final YamlNode.Scalar scalar = scalar(node, "an address");
        final HostPort hostPort;
        try
        {
            hostPort = HostPort.parse(scalar.value());
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(scalar, ex.getMessage());
        }
        if (!portZeroAllowed && hostPort.port() == 0)
        {
            throw error(scalar, "a backend's port must be 1..65535");
        }
        return hostPort;
    }

    private long duration(final YamlNode node, final long defaultMs, final long minMs, final long maxMs) throws ConfigException
    {
        if (node == null)
        {
            return defaultMs;
        }
        final YamlNode.Scalar scalar = scalar(node, "a duration");
        final String text = scalar.value();
        if (!DURATION.matcher(text).matches())
        {
            throw error(scalar, "expected a duration such as 250ms, 1.5s, 1m30s or 1h, got '" + text + "'");
        }
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        final Matcher part = DURATION_PART.matcher(text);
        while (part.find())
        {
            final long unitMs = switch (part.group(2))
            {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            total = total.add(new java.math.BigDecimal(part.group(1)).multiply(java.math.BigDecimal.valueOf(unitMs)));
        }
        if (total.stripTrailingZeros().scale() > 0)
        {
            throw error(scalar, "durations are whole milliseconds, got '" + text + "' (" + total.toPlainString() + "ms)");
        }
        final long ms = total.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0 ? Long.MAX_VALUE / 2 : total.longValueExact();
        if (ms < minMs || ms > maxMs)
        {
            throw error(scalar, "must be between " + formatMs(minMs) + " and " + formatMs(maxMs) + ", got " + scalar.value());
        }
        return ms;
    }

    private static String formatMs(final long ms)
    {
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private int intValue(final YamlNode node, final int defaultValue, final int min, final int max) throws ConfigException
    {
        if (node == null)
        {
            return defaultValue;
        }
        final YamlNode.Scalar scalar = scalar(node, "a number");
        final String text = scalar.value().replace("_", "");
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw error(scalar, "expected a whole number " + min + ".." + max + ", got '" + scalar.value() + "'");
        }
        final long value = Long.parseLong(text);
        if (value < min || value > max)
        {
            throw error(scalar, "must be " + min + ".." + max + ", got " + value);
        }
        return (int)value;
    }

    private boolean boolValue(final YamlNode node, final boolean defaultValue) throws ConfigException
    {
        if (node == null)
        {
            return defaultValue;
        }
        final YamlNode.Scalar scalar = scalar(node, "true or false");
        return switch (scalar.value())
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(scalar, "expected true or false, got '" + scalar.value() + "'");
        };
    }

    private <E extends Enum<E>> E enumValue(final YamlNode node, final Class<E> type, final E defaultValue)
        throws ConfigException
    {
        return enumValue(node, type, defaultValue, null, null);
    }

    private <E extends Enum<E>> E enumValue(
        final YamlNode node, final Class<E> type, final E defaultValue, final String hiddenName, final String shownName)
        throws ConfigException
    {
        if (node == null)
        {
            return defaultValue;
        }
        final YamlNode.Scalar scalar = scalar(node, "a word");
        final List<String> names = new ArrayList<>();
        for (final E constant : type.getEnumConstants())
        {
            final String name = constant.name().toLowerCase(Locale.ROOT);
            names.add(name.equals(hiddenName) ? shownName : name);
            if (name.equals(scalar.value()) && !name.equals(hiddenName))
            {
                return constant;
            }
        }
        throw error(scalar, "unknown value '" + scalar.value() + "' (expected one of: " + String.join(", ", names) + ")");
    }

    private void checkKeys(final YamlNode.Mapping map, final Set<String> allowed, final String what) throws ConfigException
    {
        for (final YamlNode.Entry entry : map.entries())
        {
            if (!allowed.contains(entry.key().value()))
            {
                final List<String> sorted = new ArrayList<>(allowed);
                sorted.sort(null);
                throw error(entry.key(), "unknown key '" + entry.key().value() + "' in " + what + " (expected one of: "
                    + String.join(", ", sorted) + ")");
            }
        }
    }

    private YamlNode.Mapping mapping(final YamlNode node, final String what) throws ConfigException
    {
        if (node instanceof YamlNode.Mapping map)
        {
            return map;
        }
        throw error(node, what + " must be a mapping (key: value lines), not " + describe(node));
    }

    private YamlNode.Sequence sequence(final YamlNode node, final String what) throws ConfigException
    {
        if (node instanceof YamlNode.Sequence seq)
        {
            return seq;
        }
        throw error(node, "'" + what + "' must be a list ([a, b] or '- a' lines), not " + describe(node));
    }

    private YamlNode.Scalar scalar(final YamlNode node, final String what) throws ConfigException
    {
        if (node instanceof YamlNode.Scalar scalar)
        {
            if (scalar.isNull())
            {
                throw error(node, "missing value: expected " + what);
            }
            return scalar;
        }
        throw error(node, "expected " + what + ", not " + node.kind());
    }

    private static boolean isNull(final YamlNode node)
    {
        return node instanceof YamlNode.Scalar scalar && scalar.isNull();
    }

    private static String describe(final YamlNode node)
    {
        if (node instanceof YamlNode.Scalar scalar)
        {
            return scalar.isNull() ? "an empty value" : "'" + scalar.value() + "'";
        }
        return node.kind();
    }

    private void warn(final YamlNode node, final String problem)
    {
        warnings.add(file + ":" + node.line() + ":" + node.column() + ": warning: " + problem);
    }

    private ConfigException error(final YamlNode node, final String problem)
    {
        return new ConfigException(file, node.line(), node.column(), problem);
    }
}
