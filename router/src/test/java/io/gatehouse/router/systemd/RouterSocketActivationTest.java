package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router started by systemd's own {@code systemd-socket-activate}: it owns the listening socket, starts
 * the router on the first connection attempt, and the router adopts the socket and routes that very
 * connection (HTTP Host) to its backend, even though the config asks for io_uring (which cannot adopt,
 * so the router says so and runs on epoll).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RouterSocketActivationTest
{
    private static final long START_TIMEOUT_MS = 20_000;

    @TempDir
    Path dir;

    @Test
    void shouldRouteTheConnectionThatStartedTheRouterThroughTheAdoptedSocket() throws Exception
    {
        assumeTrue(Command.onPath("systemd-socket-activate"), "systemd-socket-activate is not installed (package systemd)");
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            ServerSocket backend = new ServerSocket(0, 16, InetAddress.getLoopbackAddress()))
        {
            backend.setSoTimeout((int)START_TIMEOUT_MS);
            final int port = freePort();
            final Path config = dir.resolve("gatehouse.yaml");
            Files.writeString(config, String.join("\n",
                "listeners:",
                "  - name: public",
                "    address: 127.0.0.1:" + port,
                "    protocol: http",
                "    routes:",
                "      - hostnames: [a.example.test]",
                "        backends: [127.0.0.1:" + backend.getLocalPort() + "]",
                "runtime:",
                "  transport: io_uring",
                "  workers: 2",
                ""));
            final List<String> command = new ArrayList<>(List.of(
                "systemd-socket-activate", "--listen=127.0.0.1:" + port, "--fdname=public", "--setenv=NOTIFY_SOCKET=" + manager.address()));
            command.addAll(ChildJvm.javaCommand(RouterUnderSystemd.class.getName(), config.toString()));
            try (ChildJvm child = ChildJvm.start(new ProcessBuilder(command), dir.resolve("stderr")))
            {
                try (Socket client = child.connectWhenListening(port, START_TIMEOUT_MS))
                {
                    client.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: a.example.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    client.getOutputStream().flush();
                    try (Socket relayed = backend.accept())
                    {
                        relayed.setSoTimeout((int)START_TIMEOUT_MS);
                        final String request = readUntil(relayed.getInputStream(), "\r\n\r\n");
                        assertTrue(request.startsWith("GET /hello HTTP/1.1\r\nHost: a.example.test\r\n"), request);
                        final OutputStream reply = relayed.getOutputStream();
                        reply.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                        reply.flush();
                    }
                    assertTrue(readUntil(client.getInputStream(), "ok").endsWith("\r\n\r\nok"));
                }
                assertEquals("READY=1", manager.receive(START_TIMEOUT_MS), child.stderr());
                final String serving = child.nextLine(START_TIMEOUT_MS);
                assertNotNull(serving, child.stderr());
                assertEquals("SERVING EPOLL /127.0.0.1:" + port, serving);
                assertTrue(child.stderr().contains("io_uring cannot adopt an inherited socket"), child.stderr());
                assertEquals(0, child.closeStdinAndWait(15_000), child.stderr());
                assertEquals("STOPPING=1", manager.receive(START_TIMEOUT_MS));
            }
        }
    }

    @Test
    void shouldRefuseToStartOnMalformedListenVariablesWithExitTwo() throws Exception
    {
        final Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, String.join("\n",
            "listeners:",
            "  - name: public",
            "    address: 127.0.0.1:0",
            "    routes:",
            "      - hostnames: [a.example.test]",
            "        backends: [127.0.0.1:9]",
            ""));
        // LISTEN_PID must be the JVM's own pid: the shell's $$, carried over by exec.
        final List<String> java = ChildJvm.javaCommand("io.gatehouse.router.control.RouterProcess", "--config", config.toString());
        final StringBuilder script = new StringBuilder("LISTEN_PID=$$ LISTEN_FDS=2 LISTEN_FDNAMES=public exec");
        for (final String word : java)
        {
            script.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        try (ChildJvm child = ChildJvm.start(new ProcessBuilder("sh", "-c", script.toString()), dir.resolve("stderr")))
        {
            assertEquals(2, child.closeStdinAndWait(START_TIMEOUT_MS), child.stderr());
            assertTrue(child.stderr().contains("socket activation: LISTEN_FDNAMES has 1 names for LISTEN_FDS=2"), child.stderr());
        }
    }

    private static String readUntil(final InputStream in, final String end) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        while (text.indexOf(end) < 0)
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }
            text.append((char)b);
        }
        return text.toString();
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }
}
