package io.gatehouse.router.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.metrics.MetricsSnapshot;
import io.gatehouse.router.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's reload test, end to end: a real router wired to the control plane, clients opening new
 * connections without pause, and 50 reloads through {@code POST /reload} that move the route between two
 * backend pools (with an invalid config thrown in). Every connection must be answered by a backend of the
 * route (zero failures), the reloads must take effect, and a connection established before the first
 * reload must still relay after the last.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReloadUnderLoadTest
{
    private static final int RELOADS = 50;
    private static final int CLIENTS = 3;

    /** Reads the request head, answers with the backend's name, closes. */
    private static RawBackend.Session answerWith(final String name)
    {
        return socket ->
        {
            RawBackend.answerHeadWith(socket, name);
            socket.shutdownOutput();
            final InputStream in = socket.getInputStream();
            while (in.read() >= 0)
            {
                // Until the client closes.
            }
        };
    }

    private static String config(final int generation, final InetSocketAddress pool, final InetSocketAddress echo)
    {
        return "# generation " + generation + "\n"
            + "runtime: {workers: 2, drain_timeout: 1s}\n"
            + "listeners:\n"
            + "  - name: public\n"
            + "    address: 127.0.0.1:0\n"
            + "    protocol: http\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [127.0.0.1:" + pool.getPort() + "]\n"
            + "        connect_timeout: 2s\n"
            + "      - hostnames: [echo.test]\n"
            + "        backends: [127.0.0.1:" + echo.getPort() + "]\n"
            + (generation % 5 == 0 ? "      - hostnames: [extra" + generation + ".test]\n        backends: [127.0.0.1:1]\n" : "")
            + "admin: {address: 127.0.0.1:0}\n";
    }

    @Test
    void shouldServeEveryNewConnectionThrough50ReloadsUnderLoad(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gatehouse.yaml");
        final List<String> log = new CopyOnWriteArrayList<>();
        try (RawBackend blue = new RawBackend("blue", answerWith("blue"));
             RawBackend green = new RawBackend("green", answerWith("green"));
             RawBackend echo = new RawBackend("echo", RawBackend::echo))
        {
            Files.writeString(file, config(0, blue.address(), echo.address()));
            try (Router router = Router.start(ConfigLoader.load(file));
                 ControlPlane plane = ControlPlane.start(file, router.config(), router::reload, log::add, false))
            {
                final InetSocketAddress vip = router.boundAddress("public");

                final Socket longLived = new Socket();
                longLived.connect(vip, 5_000);
                longLived.setSoTimeout(10_000);
                longLived.getOutputStream().write("GET / HTTP/1.1\r\nHost: echo.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("GET / HTTP/1.1\r\nHost: echo.test\r\n\r\n", readExactly(longLived, 35));

                final AtomicBoolean running = new AtomicBoolean(true);
                final AtomicInteger ok = new AtomicInteger();
                final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
                final List<String> failures = new CopyOnWriteArrayList<>();
                final Thread[] clients = new Thread[CLIENTS];
                for (int c = 0; c < CLIENTS; c++)
                {
                    clients[c] = new Thread(() ->
                    {
                        while (running.get())
                        {
                            try
                            {
                                final String answer = request(vip);
                                if (answer.equals("blue\n") || answer.equals("green\n"))
                                {
                                    ok.incrementAndGet();
                                    answers.computeIfAbsent(answer.strip(), k -> new AtomicInteger()).incrementAndGet();
                                }
                                else
                                {
                                    failures.add("unexpected answer '" + answer + "'");
                                }
                            }
                            catch (final IOException ex)
                            {
                                failures.add(ex.toString());
                            }
                        }
                    }, "load-" + c);
                    clients[c].start();
                }

                io.gatehouse.router.Await.until("load running", () -> ok.get() >= 20);
                int invalidAnswers = 0;
                for (int generation = 1; generation <= RELOADS; generation++)
                {
                    final int before = ok.get();
                    if (generation == RELOADS / 2)
                    {
                        Files.writeString(file, config(generation, green.address(), echo.address()).replace("protocol: http",
                            "protocol: gopher"));
                        assertEquals(422, post(plane.adminAddress()));
                        invalidAnswers++;
                    }
                    Files.writeString(file, config(generation, generation % 2 == 0 ? blue.address() : green.address(),
                        echo.address()));
                    assertEquals(200, post(plane.adminAddress()), log::toString);
                    io.gatehouse.router.Await.until("connections after reload " + generation, () -> ok.get() >= before + 3);
                }
                running.set(false);
                for (final Thread client : clients)
                {
                    client.join(10_000);
                }

                assertEquals(List.of(), failures, "failed connections during reloads");
                assertTrue(answers.get("blue").get() > 0 && answers.get("green").get() > 0, answers.toString());
                assertEquals(RELOADS + 1, plane.reloader().generation());
                assertEquals(1, invalidAnswers);

                longLived.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
                assertEquals("still here", readExactly(longLived, 10), "an established connection survives every reload");
                longLived.close();

                final MetricsSnapshot metrics = MetricsSnapshot.parse(get(plane.adminAddress()));
                assertEquals(RELOADS, metrics.sum("gatehouse_config_reloads_total", "result", "applied"));
                assertEquals(1, metrics.sum("gatehouse_config_reloads_total", "result", "invalid"));
                System.out.println("reload under load: " + RELOADS + " reloads, " + ok.get() + " connections, 0 failures, answers "
                    + answers);
            }
        }
    }

    private static String request(final InetSocketAddress vip) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(vip, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            return answer.toString(StandardCharsets.US_ASCII);
        }
    }

    private static String readExactly(final Socket socket, final int bytes) throws IOException
    {
        final byte[] buffer = new byte[bytes];
        int read = 0;
        while (read < bytes)
        {
            final int n = socket.getInputStream().read(buffer, read, bytes - read);
            if (n < 0)
            {
                throw new IOException("closed after " + read + " bytes");
            }
            read += n;
        }
        return new String(buffer, StandardCharsets.US_ASCII);
    }

    private static int post(final InetSocketAddress admin) throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL(
            "http://127.0.0.1:" + admin.getPort() + "/reload").openConnection();
        connection.setRequestMethod("POST");
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(10_000);
        try
        {
            return connection.getResponseCode();
        }
        finally
        {
            connection.disconnect();
        }
    }

    private static String get(final InetSocketAddress admin) throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL(
            "http://127.0.0.1:" + admin.getPort() + "/metrics").openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(10_000);
        try
        {
            return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        finally
        {
            connection.disconnect();
        }
    }
}
