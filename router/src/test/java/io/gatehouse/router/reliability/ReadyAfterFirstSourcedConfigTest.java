package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.control.ConfigSource;
import io.gatehouse.router.control.RouterProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way in of {@code gatehouse run} when the file holds {@code xds:} alone and the control plane
 * brings every listener: {@code /ready} stays 503 (the admin endpoint up, nothing bound) however long
 * the first answer takes, and turns 200 once the source's first set is bound and routing; a routing
 * daemon following {@code /ready} announces the VIP only then. The router runs as its own process,
 * wired by {@link RouterProcess#run} as {@code gatehouse run} wires it, with a stand-in source that
 * offers the listeners of a file once the test writes it (the xds module's tests cover the ADS client).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReadyAfterFirstSourcedConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerNotReadyUntilTheSourcesFirstListenersServe() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            final int vipPort = Loopback.freePort();
            final int adminPort = Loopback.freePort();
            final Path file = dir.resolve("gatehouse.yaml");
            Files.writeString(file, "runtime: {workers: 1, drain_timeout: 5s, drain_settle: 0s}\n"
                + "xds: {server: \"127.0.0.1:" + Loopback.freePort() + "\", node: {id: gh-1, cluster: ingress}}\n"
                + "admin: {address: \"127.0.0.1:" + adminPort + "\"}\n");
            final Path offer = dir.resolve("offer.yaml");
            final Path stderr = dir.resolve("router.stderr");
            final Process router = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                SourcedProcess.class.getName(), file.toString(), offer.toString())
                .redirectError(stderr.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try
            {
                Await.until("the router running", () -> read(stderr).contains("gatehouse: running"), () -> read(stderr));
                for (int probe = 0; probe < 10; probe++)
                {
                    assertEquals(503, ready(adminPort), "not ready before the source's first set: " + read(stderr));
                    assertTrue(Loopback.refuses(new InetSocketAddress("127.0.0.1", vipPort)), "nothing bound yet");
                    Thread.sleep(50);
                }

                final Path written = dir.resolve("offer.yaml.tmp");
                Files.writeString(written, listener("sourced", vipPort, echo.address().getPort()));
                Files.move(written, offer);
                Await.until("/ready answers 200", () -> ready(adminPort) == 200, () -> read(stderr));
                try (Socket vip = Loopback.connect(new InetSocketAddress("127.0.0.1", vipPort), 10_000))
                {
                    Loopback.roundTrip(vip, Loopback.httpHead("a.test"));
                }

                router.destroy();
                assertTrue(router.waitFor(30, TimeUnit.SECONDS), read(stderr));
                assertEquals(0, router.exitValue(), read(stderr));
            }
            finally
            {
                router.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String listener(final String name, final int port, final int backendPort)
    {
        return "listeners:\n  - name: " + name + "\n    address: 127.0.0.1:" + port + "\n    protocol: http\n    routes:\n"
            + "      - hostnames: [a.test]\n        backends: [\"127.0.0.1:" + backendPort + "\"]\n";
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private static int ready(final int adminPort)
    {
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)new URL("http://127.0.0.1:" + adminPort + "/ready").openConnection();
            connection.setConnectTimeout(2_000);
            connection.setReadTimeout(5_000);
            try
            {
                return connection.getResponseCode();
            }
            finally
            {
                connection.disconnect();
            }
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * {@code SourcedProcess CONFIG OFFER}: {@link RouterProcess#run} on CONFIG (its {@code xds:} block
     * names no server that answers: the stand-in takes its place) with a source that, once
     * the file OFFER exists, offers its listeners (once) and then stays quiet, as a control plane whose
     * first answer comes late.
     */
    public static final class SourcedProcess
    {
        private SourcedProcess()
        {
        }

        public static void main(final String[] args) throws InterruptedException
        {
            final Path offer = Path.of(args[1]);
            final ConfigSource.Factory factory = (config, log) -> new ConfigSource()
            {
                private volatile boolean closed;

                @Override
                public void start(final Sink sink)
                {
                    final Thread thread = new Thread(() ->
                    {
                        while (!closed && !Files.exists(offer))
                        {
                            try
                            {
                                Thread.sleep(20);
                            }
                            catch (final InterruptedException ex)
                            {
                                return;
                            }
                        }
                        if (!closed)
                        {
                            final List<io.gatehouse.router.config.ListenerConfig> listeners;
                            try
                            {
                                listeners = ConfigLoader.load(offer).listeners();
                            }
                            catch (final Exception ex)
                            {
                                log.accept("stand-in source: " + ex);
                                return;
                            }
                            log.accept("stand-in source: " + sink.offer("test source version 1", listeners).message());
                        }
                    }, "stand-in-source");
                    thread.setDaemon(true);
                    thread.start();
                }

                @Override
                public void close()
                {
                    closed = true;
                }
            };
            System.exit(RouterProcess.run(Path.of(args[0]), new PrintWriter(System.err, true, StandardCharsets.UTF_8), factory));
        }
    }
}
