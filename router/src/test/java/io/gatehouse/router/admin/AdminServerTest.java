package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.metrics.MetricsSnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AdminServerTest
{
    private AdminServer server;

    @AfterEach
    void close()
    {
        if (server != null)
        {
            server.close();
        }
    }

    /** Status and body of one request. */
    record Response(int status, String contentType, String body)
    {
    }

    static Response request(final AdminServer server, final String method, final String path) throws IOException
    {
        final URL url = new URL("http://127.0.0.1:" + server.boundAddress().getPort() + path);
        final HttpURLConnection connection = (HttpURLConnection)url.openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(5_000);
        connection.setRequestMethod(method);
        if (method.equals("POST"))
        {
            connection.setDoOutput(true);
            connection.getOutputStream().close();
        }
        final int status = connection.getResponseCode();
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream())
        {
            final String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, connection.getContentType(), body);
        }
        finally
        {
            connection.disconnect();
        }
    }

    @Test
    void shouldServeEveryRegisteredSourceAsPrometheusText() throws IOException
    {
        final MetricsRegistry registry = new MetricsRegistry();
        final AtomicInteger accepted = new AtomicInteger();
        registry.register(writer -> writer.counter("gatehouse_connections_accepted_total", "Accepted.")
            .sample(accepted.get(), "listener", "public"));
        registry.register(writer ->
        {
            throw new IllegalStateException("a broken source");
        });
        server = AdminServer.start(new HostPort("127.0.0.1", 0), registry, null);
        accepted.set(7);
        final Response response = request(server, "GET", "/metrics");
        assertEquals(200, response.status());
        assertEquals(AdminServer.METRICS_CONTENT_TYPE, response.contentType());
        final MetricsSnapshot scrape = MetricsSnapshot.parse(response.body());
        assertEquals(7, scrape.sum("gatehouse_connections_accepted_total", "listener", "public"), response.body());
        assertEquals(1, scrape.sum("gatehouse_admin_source_errors_total"), response.body());
        assertEquals(405, request(server, "POST", "/metrics").status());
        assertEquals(404, request(server, "GET", "/nope").status());
        assertEquals(404, request(server, "POST", "/reload").status());
        assertEquals("ok\n", request(server, "GET", "/healthz").body());
    }

    @Test
    void shouldAnswerReloadWithTheOutcomeAndItsStatus() throws IOException
    {
        final AtomicReference<ReloadOutcome> next = new AtomicReference<>(
            new ReloadOutcome(ReloadOutcome.Result.APPLIED, "generation 2: 1 listener, 1 route", 2));
        server = AdminServer.start(new HostPort("127.0.0.1", 0), new MetricsRegistry(), trigger -> next.get());
        Response response = request(server, "POST", "/reload");
        assertEquals(200, response.status());
        assertEquals("generation 2: 1 listener, 1 route\n", response.body());

        next.set(new ReloadOutcome(ReloadOutcome.Result.INVALID, "gh.yaml:3:5: unknown key 'x'", 2));
        response = request(server, "POST", "/reload");
        assertEquals(422, response.status());
        assertEquals("gh.yaml:3:5: unknown key 'x'\n", response.body());

        next.set(new ReloadOutcome(ReloadOutcome.Result.FAILED, "not applied: bind failed", 2));
        assertEquals(422, request(server, "POST", "/reload").status(), "a config this host cannot apply is the request's problem");
        next.set(new ReloadOutcome(ReloadOutcome.Result.UNCHANGED, "unchanged: generation 2 still serving", 2));
        response = request(server, "POST", "/reload");
        assertEquals(200, response.status());
        assertEquals("unchanged: generation 2 still serving\n", response.body());
        assertEquals(405, request(server, "GET", "/reload").status());
    }

    @Test
    void shouldAnswerReadyOnlyBetweenTheFirstServingConfigAndTheDrain() throws IOException
    {
        final Readiness readiness = new Readiness();
        server = AdminServer.start(new HostPort("127.0.0.1", 0), new MetricsRegistry(), null, readiness);
        Response response = request(server, "GET", "/ready");
        assertEquals(503, response.status());
        assertEquals("starting\n", response.body());

        readiness.ready();
        response = request(server, "GET", "/ready");
        assertEquals(200, response.status());
        assertEquals("ready\n", response.body());

        readiness.draining();
        readiness.ready();
        response = request(server, "GET", "/ready");
        assertEquals(503, response.status(), "a draining process never becomes ready again");
        assertEquals("draining\n", response.body());
        assertEquals(200, request(server, "GET", "/healthz").status(), "liveness holds while draining");
    }

    @Test
    void shouldNameTheAddressWhenItCannotBind() throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            final HostPort address = new HostPort("127.0.0.1", taken.getLocalPort());
            final IOException ex = assertThrows(IOException.class, () -> AdminServer.start(address, new MetricsRegistry(), null));
            assertTrue(ex.getMessage().startsWith("admin address " + address + ": cannot bind"), ex.getMessage());
        }
    }
}
