package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gatehouse.router.systemd.ChildJvm;
import io.gatehouse.router.systemd.Command;
import io.gatehouse.router.systemd.SourceTree;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xds module and its dependencies stay off the class path (lib/xds/, {@link XdsModule}): through the
 * installed launcher, a file config loads none of their classes, and a config with {@code xds:} loads them
 * from lib/xds/ and runs its ADS client. {@code -Xlog:class+load} names every class and where it came from.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class XdsClassLoadingTest
{
    private static final long WAIT_MS = 60_000;
    /** What only xds needs: gRPC, protobuf, the Envoy API, Guava, and the module itself. */
    private static final Pattern XDS_CLASS =
        Pattern.compile("^\\S+ (io\\.grpc\\.|com\\.google\\.protobuf\\.|io\\.envoyproxy\\.|com\\.google\\.common\\.|io\\.gatehouse\\.xds\\.)\\S*", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private Path launcher;

    @BeforeEach
    void install() throws Exception
    {
        final Path stage = dir.resolve("stage");
        final Command installed = Command.run(
            List.of("bash", SourceTree.systemd("install").toString(), "--jars", InstallTest.jarsOfThisBuild(dir.resolve("jars")).toString()),
            null, Map.of("DESTDIR", stage.toString()), WAIT_MS);
        assertEquals(0, installed.exitCode(), installed.output());
        launcher = stage.resolve("opt/gatehouse/bin/gatehouse");
    }

    @Test
    void shouldLoadNoGrpcProtobufOrEnvoyClassForAFileConfig() throws Exception
    {
        final int port = freePort();
        final int admin = freePort();
        final Path config = dir.resolve("file.yaml");
        Files.writeString(config, listener(port) + "admin:\n  address: 127.0.0.1:" + admin + "\n");
        final Path classes = dir.resolve("classes.log");
        try (ChildJvm child = start(config, classes))
        {
            child.connectWhenListening(port, WAIT_MS).close();
            final HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode(), child.stderr());
        }
        final String loaded = Files.readString(classes);
        assertTrue(loaded.contains("io.gatehouse.router.Router source: file:"), "the class log names the router's classes");
        final Matcher xds = XDS_CLASS.matcher(loaded);
        if (xds.find())
        {
            fail("a file config loaded an xds-only class: " + xds.group());
        }
    }

    @Test
    void shouldRunTheAdsClientFromLibXdsForAConfigWithXds() throws Exception
    {
        final int port = freePort();
        final int ads = freePort(); // nothing listens there: the client connects, fails and retries
        final Path config = dir.resolve("xds.yaml");
        Files.writeString(config, listener(port) + "xds:\n  server: 127.0.0.1:" + ads + "\n  node: {id: test-1, cluster: ingress}\n");
        final Path classes = dir.resolve("classes.log");
        try (ChildJvm child = start(config, classes))
        {
            child.connectWhenListening(port, WAIT_MS).close();
            final String retry = "gatehouse: xds: stream to 127.0.0.1:" + ads + " ended";
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (!child.stderr().contains(retry) && deadlineNs - System.nanoTime() > 0)
            {
                Thread.sleep(50);
            }
            assertTrue(child.stderr().contains(retry), "the gRPC client ran: " + child.stderr());
        }
        final String loaded = Files.readString(classes);
        assertTrue(Pattern.compile("io\\.gatehouse\\.xds\\.XdsSource source: file:\\S*/opt/gatehouse/lib/xds/gatehouse-xds").matcher(loaded).find(),
            "XdsSource from lib/xds/");
        assertTrue(Pattern.compile("io\\.grpc\\.ManagedChannel source: file:\\S*/opt/gatehouse/lib/xds/grpc-api").matcher(loaded).find(),
            "gRPC from lib/xds/");
    }

    private ChildJvm start(final Path config, final Path classes) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "run", "--config", config.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("GATEHOUSE_JAVA_OPTS", "-Xmx128m -Xlog:class+load=info:file=" + classes);
        return ChildJvm.start(builder, dir.resolve("stderr-" + config.getFileName()));
    }

    private static String listener(final int port)
    {
        return String.join("\n",
            "runtime:",
            "  drain_settle: 0s",
            "  drain_timeout: 1s",
            "listeners:",
            "  - name: public",
            "    address: 127.0.0.1:" + port,
            "    routes:",
            "      - hostnames: [a.example.test]",
            "        backends: [127.0.0.1:9]",
            "");
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
