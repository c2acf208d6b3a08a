package io.gatehouse.xds;

import static io.gatehouse.xds.Resources.assignment;
import static io.gatehouse.xds.Resources.edsCluster;
import static io.gatehouse.xds.Resources.listener;
import static io.gatehouse.xds.Resources.sniChain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xds.tls} against a control plane that requires mutual TLS, and a file holding {@code xds:} beside a
 * static listener: both serve, {@code GET /config} shows the xDS versions, and a file reload keeps the LDS
 * listener. java-control-plane on a gRPC server with a certificate for 127.0.0.1 that takes only the client
 * certificate gatehouse presents; both identities are made by {@code keytool} for the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class XdsTlsTest
{
    private static final char[] PASSWORD = "changeit".toCharArray();

    /** A self-signed EC identity for {@code san} written as {@code name.pem} (certificate) and {@code name.key} (PKCS#8). */
    private static void identity(final Path dir, final String name, final String san) throws Exception
    {
        final Path store = dir.resolve(name + ".p12");
        final String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        final Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "id", "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "SAN=" + san, "-validity", "2",
            "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
            .redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool: " + output);
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store))
        {
            keys.load(in, PASSWORD);
        }
        final Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(dir.resolve(name + ".pem"), "-----BEGIN CERTIFICATE-----\n"
            + pem.encodeToString(keys.getCertificate("id").getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve(name + ".key"), "-----BEGIN PRIVATE KEY-----\n"
            + pem.encodeToString(keys.getKey("id", PASSWORD).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void shouldSpeakMutualTlsToTheControlPlaneAndServeLdsListenersBesideTheFilesStaticOnes(@TempDir final Path dir)
        throws Exception
    {
        identity(dir, "xds-server", "ip:127.0.0.1");
        identity(dir, "gatehouse", "dns:gatehouse.test");
        final var tls = GrpcSslContexts.forServer(dir.resolve("xds-server.pem").toFile(), dir.resolve("xds-server.key").toFile())
            .trustManager(dir.resolve("gatehouse.pem").toFile())
            .clientAuth(ClientAuth.REQUIRE)
            .build();
        try (ControlPlaneServer cp = new ControlPlaneServer().start(0, tls);
            RawBackend fromFile = new RawBackend("file", RawBackend::echo);
            RawBackend fromEds = new RawBackend("eds", RawBackend::echo);
            RouterUnderXds gatehouse = new RouterUnderXds(dir,
                "  server: 127.0.0.1:" + cp.port() + "\n  tls: {ca: " + dir.resolve("xds-server.pem") + ", cert: "
                    + dir.resolve("gatehouse.pem") + ", key: " + dir.resolve("gatehouse.key") + "}\n",
                "workers: 2, transport: nio",
                "listeners:\n  - name: static\n    address: 127.0.0.1:0\n    routes:\n      - hostnames: [file.test]\n"
                    + "        backends: [127.0.0.1:" + fromFile.address().getPort() + "]\n"
                    + "admin: {address: 127.0.0.1:0}\n", true))
        {
            Await.until("the file's static listener serves", () -> gatehouse.address("static") != null);
            cp.push(XdsEndToEndTest.snapshot("1", List.of(edsCluster("echo")), List.of(assignment("echo", fromEds.address())),
                List.of(listener("public", sniChain("eds.test", "echo")))));
            Await.until("every type ACKed over mutual TLS", () -> cp.acked(XdsSource.LDS, "1") && cp.acked(XdsSource.CDS, "1")
                && cp.acked(XdsSource.EDS, "1"));
            Await.until("the LDS listener is bound", () -> gatehouse.address("public") != null);
            assertTrue(gatehouse.log.stream().anyMatch(line -> line.contains("(TLS)")), String.join("\n", gatehouse.log));

            try (Socket viaLds = XdsEndToEndTest.echoConnection(gatehouse.address("public"), "eds.test");
                Socket viaFile = XdsEndToEndTest.echoConnection(gatehouse.address("static"), "file.test"))
            {
                XdsEndToEndTest.assertRelays(viaLds, "lds");
                XdsEndToEndTest.assertRelays(viaFile, "file");
            }
            assertEquals(1, fromEds.accepted());
            assertEquals(1, fromFile.accepted());

            final InetSocketAddress admin = gatehouse.control.adminAddress();
            final HttpClient http = HttpClient.newHttpClient();
            final HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort()
                + "/config")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, config.statusCode(), config.body());
            assertTrue(config.body().contains("\"xds\": {\"cds\": \"1\", \"eds\": \"1\", \"lds\": \"1\"}"), config.body());
            assertTrue(config.body().contains("\"name\": \"static\"") && config.body().contains("\"name\": \"public\""),
                "/config shows the file's listener and the LDS one: " + config.body());

            final InetSocketAddress before = gatehouse.address("public");
            final Path file = dir.resolve("gatehouse.yaml");
            Files.writeString(file, Files.readString(file).replace("[file.test]", "[file.test, file2.test]"));
            final var outcome = gatehouse.control.reloader().reload("test");
            assertTrue(outcome.applied(), outcome.message());
            assertEquals(before, gatehouse.address("public"), "a file reload keeps the LDS listener bound as it was");
            XdsEndToEndTest.echoConnection(gatehouse.address("public"), "eds.test").close();
            XdsEndToEndTest.echoConnection(gatehouse.address("static"), "file2.test").close();
            assertEquals(2, fromEds.accepted());
            assertEquals(2, fromFile.accepted());
        }
    }
}
