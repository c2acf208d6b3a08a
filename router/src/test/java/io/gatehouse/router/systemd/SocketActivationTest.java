package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate JVM started as systemd starts a socket-activated service: listening sockets on fd 3 and up,
 * {@code LISTEN_PID} equal to its own pid (the launcher execs java, so the pid carries over), and a
 * {@code NOTIFY_SOCKET} this test owns. A connection made before the JVM even started must be served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketActivationTest
{
    private static final long START_TIMEOUT_MS = 20_000;

    /**
     * Does what systemd does for two {@code ListenStream=} lines named public and admin: binds and listens,
     * puts the sockets on fd 3 and 4, sets LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES, prints the ports, and execs
     * the command given after {@code -c SCRIPT}.
     */
    private static final String ACTIVATE = String.join("\n",
        "import os, socket, sys",
        "fds = []",
        "for _ in range(2):",
        "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "    s.bind(('127.0.0.1', 0))",
        "    s.listen(64)",
        "    fds.append((s.getsockname()[1], s.detach()))",
        "moved = [os.dup(fd) for _, fd in fds]",
        "for i, fd in enumerate(moved):",
        "    os.dup2(fd, 3 + i, inheritable=True)",
        "    os.close(fd)",
        "for _, fd in fds:",
        "    if fd not in (3, 4): os.close(fd)",
        "print('PORTS', *[port for port, _ in fds], flush=True)",
        "os.environ.update(LISTEN_FDS='2', LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES='public:admin')",
        "os.execv(sys.argv[1], sys.argv[1:])");

    @TempDir
    Path dir;

    @Test
    void shouldServeThroughSocketsPassedLikeSystemdDoes() throws Exception
    {
        assumeTrue(Command.onPath("python3"), "python3 is not installed: cannot hand a child JVM its sockets");
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString()))
        {
            final List<String> command = new ArrayList<>(List.of("python3", "-c", ACTIVATE));
            command.addAll(ChildJvm.javaCommand(SocketActivatedEcho.class.getName()));
            final ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("NOTIFY_SOCKET", manager.address());
            try (ChildJvm child = ChildJvm.start(builder, dir.resolve("stderr")))
            {
                final String ports = child.nextLine(START_TIMEOUT_MS);
                assertNotNull(ports, child.stderr());
                final String[] words = ports.split(" ");
                assertEquals("PORTS", words[0], ports);

                try (Socket early = ChildJvm.connect(Integer.parseInt(words[1]), START_TIMEOUT_MS))
                {
                    final String ready = manager.receive(START_TIMEOUT_MS);
                    assertEquals("READY=1\nSTATUS=serving 2 inherited sockets", ready, child.stderr());
                    final String serving = child.nextLine(START_TIMEOUT_MS);
                    assertNotNull(serving, child.stderr());
                    assertTrue(serving.startsWith("SERVING 2 "), serving);
                    assertTrue(serving.contains("fd 3 (public /127.0.0.1:" + words[1] + ")"), serving);
                    assertTrue(serving.contains("fd 4 (admin /127.0.0.1:" + words[2] + ")"), serving);

                    ServerChannelAdopterTest.assertEchoes(early, "connected before the JVM started");
                    try (Socket second = ChildJvm.connect(Integer.parseInt(words[2]), START_TIMEOUT_MS))
                    {
                        ServerChannelAdopterTest.assertEchoes(second, "on the second inherited socket");
                    }
                }
                assertEquals(0, child.closeStdinAndWait(10_000), child.stderr());
                assertEquals("STOPPING=1", manager.receive(START_TIMEOUT_MS));
            }
        }
    }

    @Test
    void shouldServeFirstConnectionThroughSystemdSocketActivate() throws Exception
    {
        assumeTrue(Command.onPath("systemd-socket-activate"), "systemd-socket-activate is not installed (package systemd)");
        try (NotifySocket manager = NotifySocket.bind(dir.resolve("notify").toString()))
        {
            final int port = freePort();
            final List<String> command = new ArrayList<>(List.of(
                "systemd-socket-activate", "--listen=127.0.0.1:" + port, "--fdname=public", "--setenv=NOTIFY_SOCKET=" + manager.address()));
            command.addAll(ChildJvm.javaCommand(SocketActivatedEcho.class.getName()));
            try (ChildJvm child = ChildJvm.start(new ProcessBuilder(command), dir.resolve("stderr")))
            {
                // systemd-socket-activate execs the service on the first connection attempt, as a socket unit does.
                try (Socket first = child.connectWhenListening(port, START_TIMEOUT_MS))
                {
                    ServerChannelAdopterTest.assertEchoes(first, "the connection that started the service");
                    assertEquals("READY=1\nSTATUS=serving 1 inherited sockets", manager.receive(START_TIMEOUT_MS), child.stderr());
                    final String serving = child.nextLine(START_TIMEOUT_MS);
                    assertNotNull(serving, child.stderr());
                    assertTrue(serving.contains("fd 3 (public /127.0.0.1:" + port + ")"), serving);
                }
                assertEquals(0, child.closeStdinAndWait(10_000), child.stderr());
            }
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }
}
