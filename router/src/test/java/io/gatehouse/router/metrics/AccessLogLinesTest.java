package io.gatehouse.router.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.log.AccessLog;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One access log line per client connection, relayed or refused at the peek, with the SNI and the end. */
@ExtendWith(LeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogLinesTest
{
    @Test
    void shouldWriteALinePerConnectionWithNameRouteAndEnd(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("access.log");
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo);
            AccessLog log = AccessLog.open(file.toString(), 1024, line -> { });
            Router router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
                TestConfigs.listener("web", TestConfigs.route(List.of("known.test"), echo.address())))))
        {
            router.accessLog(() -> log);
            final InetSocketAddress address = router.boundAddress("web");
            final byte[] hello = new ClientHelloBuilder().serverName("known.test").alpn("h2").build();
            try (Socket client = connect(address))
            {
                client.getOutputStream().write(hello);
                client.shutdownOutput();
                assertEquals(hello.length, client.getInputStream().readAllBytes().length);
            }
            try (Socket client = connect(address))
            {
                client.getOutputStream().write(new ClientHelloBuilder().serverName("unknown.test").build());
                client.getInputStream().readAllBytes();
            }
            Await.until("two lines", () -> lines(file).size() == 2, () -> lines(file).toString());
            final String relayed = lines(file).stream().filter(l -> l.contains("known.test\"")).findFirst().orElseThrow();
            assertTrue(relayed.contains("\"name\":\"known.test\"") && relayed.contains("\"route\":\"known.test\"")
                && relayed.contains("\"alpn\":\"h2\"") && relayed.contains("\"protocol\":\"tls\"")
                && relayed.contains("\"bytes_in\":" + hello.length) && relayed.contains("\"end\":\"client_closed\""), relayed);
            final String refused = lines(file).stream().filter(l -> l.contains("unknown.test")).findFirst().orElseThrow();
            assertTrue(refused.contains("\"end\":\"no_route\"") && refused.contains("\"route\":null"), refused);
        }
    }

    private static List<String> lines(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    private static Socket connect(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }
}
