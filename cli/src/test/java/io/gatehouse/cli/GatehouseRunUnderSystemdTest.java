package io.gatehouse.cli;

import io.gatehouse.router.systemd.ChildJvm;
import io.gatehouse.router.systemd.Command;
import io.gatehouse.router.systemd.NotifySocket;
import io.gatehouse.router.systemd.SourceTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the unit does, minus systemd itself: the installed launcher ({@code /opt/gatehouse/bin/gatehouse},
 * staged under DESTDIR) runs {@code gatehouse run} under {@code systemd-socket-activate}, which owns the
 * listening socket, starts the service on the first connection attempt, and passes NOTIFY_SOCKET (the
 * test's) and WATCHDOG_USEC. Checks: the first connection is routed; READY=1 with a status; WATCHDOG=1
 * pings; SIGHUP gives RELOADING=1 with MONOTONIC_USEC, then READY=1, and the reloaded route serves;
 * SIGTERM gives STOPPING=1 and exit 0.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GatehouseRunUnderSystemdTest
{
    private static final long WAIT_MS = 20_000;

    @TempDir
    Path dir;

    @Test
    void shouldServeReloadAndDrainAsASocketActivatedNotifyService() throws Exception
    {
        assumeTrue(Command.onPath("systemd-socket-activate"), "systemd-socket-activate is not installed (package systemd)");
        final Path stage = dir.resolve("stage");
        final Command installed = Command.run(
            List.of("bash", SourceTree.systemd("install").toString(), "--jars", InstallTest.jarsOfThisBuild(dir.resolve("jars")).toString()),
            null, Map.of("DESTDIR", stage.toString()), WAIT_MS);
        assertEquals(0, installed.exitCode(), installed.output());

        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString());
            ServerSocket backend = new ServerSocket(0, 16, InetAddress.getLoopbackAddress()))
        {
            backend.setSoTimeout((int)WAIT_MS);
            final int port = freePort();
            final Path config = stage.resolve("etc/gatehouse/gatehouse.yaml");
            Files.writeString(config, config(port, backend.getLocalPort(), "a.example.test"));
            final List<String> command = List.of(
                "systemd-socket-activate", "--listen=127.0.0.1:" + port, "--fdname=gatehouse",
                "--setenv=NOTIFY_SOCKET=" + manager.address(),
                "--setenv=WATCHDOG_USEC=400000",
                "--setenv=JAVA_HOME=" + System.getProperty("java.home"),
                "--setenv=GATEHOUSE_JAVA_OPTS=-Xmx128m -XX:TieredStopAtLevel=1",
                stage.resolve("opt/gatehouse/bin/gatehouse").toString(), "run", "--config", config.toString());
            try (ChildJvm child = ChildJvm.start(new ProcessBuilder(command), dir.resolve("stderr")))
            {
                routeOnce(child.connectWhenListening(port, WAIT_MS), backend, "a.example.test");
                assertEquals("READY=1\nSTATUS=serving 1 listeners", nextState(manager, child), child.stderr());
                assertEquals("WATCHDOG=1", manager.receive(WAIT_MS), "pings at half of WATCHDOG_USEC: " + child.stderr());

                Files.writeString(config, config(port, backend.getLocalPort(), "b.example.test"));
                final Command hup = Command.run(List.of("kill", "-HUP", Long.toString(child.process().pid())), null, Map.of(), WAIT_MS);
                assertEquals(0, hup.exitCode(), hup.output());
                final String reloading = nextState(manager, child);
                assertTrue(reloading.matches("RELOADING=1\nMONOTONIC_USEC=\\d+"), reloading);
                final long monotonicUsec = Long.parseLong(reloading.substring(reloading.indexOf('=', 12) + 1));
                assertTrue(Math.abs(monotonicUsec - System.nanoTime() / 1_000) < 60_000_000L, "CLOCK_MONOTONIC, as systemd reads it");
                assertEquals("READY=1", nextState(manager, child), child.stderr());
                routeOnce(ChildJvm.connect(port, WAIT_MS), backend, "b.example.test");

                child.process().destroy();
                assertTrue(child.process().waitFor(WAIT_MS, TimeUnit.MILLISECONDS), child.stderr());
                assertEquals(0, child.process().exitValue(), child.stderr());
                assertEquals("STOPPING=1", nextState(manager, child), child.stderr());
            }
        }
    }

    private static String config(final int port, final int backendPort, final String hostname)
    {
        return String.join("\n",
            "listeners:",
            "  - name: public",
            "    address: 127.0.0.1:" + port,
            "    protocol: http",
            "    routes:",
            "      - hostnames: [" + hostname + "]",
            "        backends: [127.0.0.1:" + backendPort + "]",
            "runtime:",
            "  transport: epoll",
            "  workers: 2",
            "  drain_timeout: 2s",
            "");
    }

    /** The next notify message that is not a watchdog ping. */
    private static String nextState(final NotifySocket manager, final ChildJvm child) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (deadlineNs - System.nanoTime() > 0)
        {
            final String message = manager.receive(WAIT_MS);
            if (message != null && !message.equals("WATCHDOG=1"))
            {
                return message;
            }
        }
        throw new AssertionError("no notify message: " + child.stderr());
    }

    /** Sends an HTTP request for {@code hostname}, answers it at the backend, and reads the answer back. */
    private static void routeOnce(final Socket client, final ServerSocket backend, final String hostname) throws IOException
    {
        try (client)
        {
            client.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + hostname + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            try (Socket relayed = backend.accept())
            {
                relayed.setSoTimeout((int)WAIT_MS);
                final String request = readUntil(relayed.getInputStream(), "\r\n\r\n");
                assertTrue(request.contains("Host: " + hostname + "\r\n"), request);
                final OutputStream reply = relayed.getOutputStream();
                reply.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                reply.flush();
            }
            assertTrue(readUntil(client.getInputStream(), "\r\n\r\nok").endsWith("\r\n\r\nok"));
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
