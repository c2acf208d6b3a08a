package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsSnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.control.ControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
 * Issue 13.4, driven over HTTP while load runs: {@code POST /backends/...} drains a backend (no new connection
 * reaches it, open ones keep relaying), disables it (open ones are closed, counted), enables it, changes a
 * weight, keeps the change across a reload of the same config and drops it when the config changes that
 * backend; {@code GET /config} shows the serving config and its generation.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BackendControlTest
{
    /** Answers the request head with the backend's name, then echoes until the client closes. */
    private static RawBackend.Session named(final String name)
    {
        return socket ->
        {
            RawBackend.answerHeadWith(socket, name);
            RawBackend.echo(socket);
        };
    }

    private static String config(final InetSocketAddress blue, final InetSocketAddress green, final int blueWeight)
    {
        return "runtime: {workers: 2}\n"
            + "listeners:\n"
            + "  - name: public\n"
            + "    address: 127.0.0.1:0\n"
            + "    protocol: http\n"
            + "    routes:\n"
            + "      - hostnames: [a.test]\n"
            + "        backends: [{address: 127.0.0.1:" + blue.getPort() + ", weight: " + blueWeight + "}, 127.0.0.1:"
            + green.getPort() + "]\n"
            + "        balance: maglev\n"
            + "        hash_key: four_tuple\n"
            + "admin: {address: 127.0.0.1:0}\n";
    }

    /** Opens a connection through the router and returns it with the name of the backend that answered. */
    private static Socket connect(final InetSocketAddress vip, final String[] answeredBy) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(vip, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            answeredBy[0] = readLine(socket.getInputStream());
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n')
        {
            line.append((char)b);
        }
        if (b < 0)
        {
            throw new IOException("closed after '" + line + "'");
        }
        return line.toString();
    }

    private static void assertEchoes(final Socket socket, final String text) throws IOException
    {
        socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(text, readLine(socket.getInputStream()));
    }

    @Test
    void shouldDrainDisableAndEnableABackendWhileLoadRuns(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("gatehouse.yaml");
        final List<String> log = new CopyOnWriteArrayList<>();
        try (RawBackend blue = new RawBackend("blue", named("blue"));
             RawBackend green = new RawBackend("green", named("green")))
        {
            Files.writeString(file, config(blue.address(), green.address(), 1));
            try (Router router = Router.start(ConfigLoader.load(file));
                 ControlPlane plane = ControlPlane.start(file, router.config(), router::reload, log::add, false))
            {
                plane.metrics().register(router.metrics());
                plane.backends(router::setBackend);
                final InetSocketAddress admin = plane.adminAddress();
                final InetSocketAddress vip = router.boundAddress("public");
                final String blueId = "127.0.0.1:" + blue.address().getPort();
                final String path = "/backends/public/a.test/" + blueId;

                final String[] by = new String[1];
                Socket onBlue = null;
                for (int i = 0; i < 64 && onBlue == null; i++)
                {
                    final Socket socket = connect(vip, by);
                    if (by[0].equals("blue"))
                    {
                        onBlue = socket;
                    }
                    else
                    {
                        socket.close();
                    }
                }
                assertTrue(onBlue != null, "some four-tuple hashes to blue");

                final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
                final AtomicBoolean drained = new AtomicBoolean();
                final AtomicInteger afterDrainOnBlue = new AtomicInteger();
                final List<String> failures = new CopyOnWriteArrayList<>();
                final AtomicBoolean running = new AtomicBoolean(true);
                final Thread load = new Thread(() ->
                {
                    final String[] answered = new String[1];
                    for (int i = 0; i < 100_000 && running.get(); i++)
                    {
                        final boolean afterDrain = drained.get();
                        try (Socket socket = connect(vip, answered))
                        {
                            answers.computeIfAbsent(answered[0], k -> new AtomicInteger()).incrementAndGet();
                            if (afterDrain && answered[0].equals("blue"))
                            {
                                afterDrainOnBlue.incrementAndGet();
                            }
                        }
                        catch (final IOException ex)
                        {
                            failures.add(ex.toString());
                        }
                    }
                }, "load");
                load.start();
                awaitCount(answers, "blue", 20);

                RawHttp.Answer answer = RawHttp.post(admin, path + "?state=drain");
                assertEquals(200, answer.status(), answer.body());
                assertTrue(answer.body().contains("\"state\": \"draining\""), answer.body());
                drained.set(true);
                final int greenBefore = answers.getOrDefault("green", new AtomicInteger()).get();
                awaitCount(answers, "green", greenBefore + 50);
                assertEquals(0, afterDrainOnBlue.get(), "a drained backend receives no new connection");
                assertEchoes(onBlue, "still relaying after the drain");

                answer = RawHttp.post(admin, path + "?state=disable");
                assertEquals(200, answer.status(), answer.body());
                onBlue.setSoTimeout(10_000);
                assertEquals(-1, readToEndOrEof(onBlue.getInputStream()), "disable closes the open connection");
                onBlue.close();
                MetricsSnapshot scrape = MetricsSnapshot.parse(RawHttp.get(admin, "/metrics").body());
                assertEquals(1, scrape.sum("gatehouse_operator_closes_total", "reason", "backend_disabled"));
                assertEquals(2, scrape.sum("gatehouse_backend_operator_state", "backend", blueId));

                answer = RawHttp.post(admin, path + "?state=enable&weight=3");
                assertEquals(200, answer.status(), answer.body());
                assertTrue(answer.body().contains("\"state\": \"enabled\", \"weight\": 3, \"config_weight\": 1"), answer.body());
                drained.set(false);
                final int blueBefore = answers.get("blue").get();
                awaitCount(answers, "blue", blueBefore + 20);
                running.set(false);
                load.join(30_000);
                assertTrue(failures.isEmpty(), "every connection answered: " + failures);

                assertEquals(404, RawHttp.post(admin, "/backends/public/a.test/127.0.0.1:1?state=drain").status());
                assertEquals(404, RawHttp.post(admin, "/backends/nope/a.test/" + blueId + "?state=drain").status());
                assertEquals(404, RawHttp.post(admin, "/backends/public/b.test/" + blueId + "?state=drain").status());
                assertEquals(400, RawHttp.post(admin, path + "?state=pause").status());
                assertEquals(400, RawHttp.post(admin, path + "?weight=0").status());
                assertEquals(405, RawHttp.get(admin, path + "?state=drain").status());

                assertEquals(200, RawHttp.post(admin, path + "?state=drain").status());
                assertEquals(200, RawHttp.post(admin, "/reload").status(), "the same config again");
                scrape = MetricsSnapshot.parse(RawHttp.get(admin, "/metrics").body());
                assertEquals(1, scrape.sum("gatehouse_backend_operator_state", "backend", blueId), "kept across the reload");
                assertEquals(3, scrape.sum("gatehouse_backend_weight", "backend", blueId));

                Files.writeString(file, config(blue.address(), green.address(), 2));
                assertEquals(200, RawHttp.post(admin, "/reload").status());
                scrape = MetricsSnapshot.parse(RawHttp.get(admin, "/metrics").body());
                assertEquals(0, scrape.sum("gatehouse_backend_operator_state", "backend", blueId),
                    "the config changed that backend: the override is gone");
                assertEquals(2, scrape.sum("gatehouse_backend_weight", "backend", blueId));

                final RawHttp.Answer config = RawHttp.get(admin, "/config");
                assertEquals(200, config.status());
                assertTrue(config.header("content-type").startsWith("application/json"));
                assertTrue(config.body().startsWith("{\"generation\": 2, \"xds\": null, \"config\": {"), config.body());
                assertTrue(config.body().contains("{\"address\": \"" + blueId + "\", \"weight\": 2}"), config.body());
            }
        }
    }

    private static int readToEndOrEof(final InputStream in) throws IOException
    {
        try
        {
            int b;
            int count = 0;
            while ((b = in.read()) >= 0 && count < 1_000_000)
            {
                count++;
            }
            return b;
        }
        catch (final SocketTimeoutException ex)
        {
            return 0;
        }
        catch (final IOException reset)
        {
            return -1;
        }
    }

    private static void awaitCount(final Map<String, AtomicInteger> answers, final String name, final int atLeast)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answers.getOrDefault(name, new AtomicInteger()).get() < atLeast)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError(name + " answered fewer than " + atLeast + ": " + answers);
            }
            Thread.sleep(5);
        }
    }
}
