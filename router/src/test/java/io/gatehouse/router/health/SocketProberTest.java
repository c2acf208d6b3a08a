package io.gatehouse.router.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.TlsBackend;
import io.gatehouse.router.config.HealthCheckConfig;
import io.gatehouse.router.config.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketProberTest
{
    private static SSLContext serverContext;

    @BeforeAll
    static void makeACertificate(@TempDir final Path dir) throws Exception
    {
        final Path keystore = dir.resolve("server.p12");
        final Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=a.test",
            "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit",
            "-keypass", "changeit").redirectErrorStream(true).start();
        final String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(30, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
        serverContext = TlsBackend.serverContext(keystore);
    }

    @Test
    void shouldPassATlsProbeAgainstARealTlsServerThatSeesTheRouteName() throws Exception
    {
        final List<String> names = new CopyOnWriteArrayList<>();
        try (SSLServerSocket server = (SSLServerSocket)serverContext.getServerSocketFactory()
            .createServerSocket(0, 10, InetAddress.getLoopbackAddress()))
        {
            final SSLParameters parameters = server.getSSLParameters();
            parameters.setSNIMatchers(List.of(new SNIMatcher(0)
            {
                @Override
                public boolean matches(final SNIServerName name)
                {
                    names.add(((SNIHostName)name).getAsciiName());
                    return true;
                }
            }));
            server.setSSLParameters(parameters);
            final Thread acceptor = new Thread(() ->
            {
                try (SSLSocket socket = (SSLSocket)server.accept())
                {
                    socket.setSoTimeout(5_000);
                    socket.startHandshake();
                }
                catch (final Exception expected)
                {
                    // The probe hangs up after the first record: the handshake does not finish.
                }
            });
            acceptor.start();
            assertEquals(Prober.Result.PASSED, new SocketProber().probe(new HostPort("127.0.0.1", server.getLocalPort()), HealthCheckConfig.Check.TLS,
                "a.test", 5_000));
            acceptor.join(10_000);
        }
        assertEquals(List.of("a.test"), names);
    }

    @Test
    void shouldFailATlsProbeAgainstAServerThatAnswersSomethingElse() throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress()))
        {
            final Thread acceptor = new Thread(() ->
            {
                try (Socket socket = server.accept())
                {
                    socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    socket.getInputStream().read(new byte[4096]);
                }
                catch (final Exception ignored)
                {
                    // The probe closes first.
                }
            });
            acceptor.start();
            assertEquals(Prober.Result.FAILED, new SocketProber().probe(new HostPort("127.0.0.1", server.getLocalPort()), HealthCheckConfig.Check.TLS,
                "a.test", 5_000));
            assertEquals(Prober.Result.PASSED, new SocketProber().probe(new HostPort("127.0.0.1", server.getLocalPort()), HealthCheckConfig.Check.TCP,
                "a.test", 5_000), "a TCP probe only needs the connect");
            acceptor.join(10_000);
        }
    }

    @Test
    void shouldFailATlsProbeWhenTheServerStaysSilentPastTheTimeout() throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress()))
        {
            final long startNs = System.nanoTime();
            assertEquals(Prober.Result.FAILED, new SocketProber().probe(new HostPort("127.0.0.1", server.getLocalPort()), HealthCheckConfig.Check.TLS,
                "a.test", 200));
            final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            assertTrue(tookMs < 3_000, "took " + tookMs + "ms");
        }
    }

    @Test
    void shouldFailATcpProbeWhenNothingListens() throws Exception
    {
        final int port;
        try (ServerSocket server = new ServerSocket())
        {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            port = server.getLocalPort();
        }
        assertEquals(Prober.Result.FAILED, new SocketProber().probe(new HostPort("127.0.0.1", port), HealthCheckConfig.Check.TCP, "a.test", 1_000));
    }
}
