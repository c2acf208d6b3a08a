package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.metrics.MetricsSnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.config.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12.5: the admin API cannot be read or driven from a web page, and POSTs can require a token. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminAccessTest
{
    private AdminServer server;
    private final AtomicInteger reloads = new AtomicInteger();

    @TempDir
    Path dir;

    @AfterEach
    void close()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private InetSocketAddress start(final byte[] token) throws IOException
    {
        final Readiness readiness = new Readiness();
        readiness.ready();
        server = AdminServer.start(new HostPort("127.0.0.1", 0), new AdminServer.Endpoints(new MetricsRegistry(), trigger ->
        {
            reloads.incrementAndGet();
            return new ReloadOutcome(ReloadOutcome.Result.APPLIED, "generation 2", 2);
        }, readiness, null, null), new AdminAccess("127.0.0.1", token), AdminLimits.DEFAULT);
        return server.boundAddress();
    }

    @Test
    void shouldRefuseTheBrowserStyleCrossSiteReload() throws IOException
    {
        final InetSocketAddress address = start(null);
        final String body = "x=1";
        final RawHttp.Answer answer = RawHttp.exchange(address, "POST /reload HTTP/1.1\r\nHost: evil.example\r\n"
            + "Origin: http://evil.example\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
            + "\r\nConnection: close\r\n\r\n" + body);
        assertEquals(421, answer.status());
        final RawHttp.Answer sameHostWithOrigin = RawHttp.exchange(address, "POST /reload HTTP/1.1\r\nHost: 127.0.0.1:"
            + address.getPort() + "\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n");
        assertEquals(403, sameHostWithOrigin.status());
        assertEquals(0, reloads.get(), "no refused request reached the reloader");
        assertEquals(200, RawHttp.post(address, "/reload").status());
        assertEquals(1, reloads.get());
    }

    @Test
    void shouldRefuseARebindingHostOnReadsToo() throws IOException
    {
        final InetSocketAddress address = start(null);
        for (final String host : new String[] {"evil.example", "evil.example:" + address.getPort(), "127.0.0.1.evil.example",
            "localhost.evil.example", "a b", "[not-v6]:1"})
        {
            final RawHttp.Answer answer = RawHttp.exchange(address,
                "GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals(421, answer.status(), host);
            assertFalse(answer.body().contains("gatehouse_"), "no metric leaks to " + host);
        }
        assertEquals(421, RawHttp.exchange(address, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n"
            + "Connection: close\r\n\r\n").status(), "two Host headers");
        for (final String host : new String[] {"127.0.0.1:" + address.getPort(), "localhost", "LOCALHOST:1", "[::1]:9901",
            "192.0.2.10", "127.0.0.1"})
        {
            assertEquals(200, RawHttp.exchange(address, "GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .status(), host);
        }
        assertEquals(200, RawHttp.exchange(address, "GET /healthz HTTP/1.0\r\n\r\n").status(), "no Host: an HTTP/1.0 tool");
    }

    @Test
    void shouldAllowTheAdminAddressOwnName() throws IOException
    {
        final AdminAccess access = new AdminAccess("Admin.Internal.Example", null);
        assertTrue(access.hostAllowed("admin.internal.example:9901"));
        assertTrue(access.hostAllowed("admin.internal.example."));
        assertFalse(access.hostAllowed("other.internal.example:9901"));
        assertFalse(access.hostAllowed("admin.internal.example:99a"));
    }

    @Test
    void shouldRequireTheBearerTokenForPostWhenOneIsSet() throws IOException
    {
        final Path file = dir.resolve("token");
        Files.writeString(file, "s3cret-token\n");
        final InetSocketAddress address = start(AdminAccess.readToken(file));
        RawHttp.Answer answer = RawHttp.post(address, "/reload");
        assertEquals(401, answer.status());
        assertEquals("Bearer", answer.header("www-authenticate"));
        assertEquals(401, RawHttp.post(address, "/reload", "Authorization: Bearer wrong").status());
        assertEquals(401, RawHttp.post(address, "/reload", "Authorization: Bearer s3cret-token-and-more").status());
        assertEquals(401, RawHttp.post(address, "/reload", "Authorization: Basic czNjcmV0LXRva2Vu").status());
        assertEquals(0, reloads.get());
        answer = RawHttp.post(address, "/reload", "Authorization: Bearer s3cret-token");
        assertEquals(200, answer.status());
        assertEquals(1, reloads.get());
        assertEquals(200, RawHttp.get(address, "/metrics").status(), "reads need no token");
        final MetricsSnapshot scrape = MetricsSnapshot.parse(RawHttp.get(address, "/metrics").body());
        assertEquals(4, scrape.sum("gatehouse_admin_refused_total", "reason", "unauthenticated"));
    }

    @Test
    void shouldRefuseAnEmptyOrUnreadableTokenFileNamingIt() throws IOException
    {
        final Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        IOException ex = assertThrows(IOException.class, () -> AdminAccess.readToken(empty));
        assertTrue(ex.getMessage().contains(empty.toString()) && ex.getMessage().contains("empty"), ex.getMessage());
        final Path missing = dir.resolve("missing");
        ex = assertThrows(IOException.class, () -> AdminAccess.readToken(missing));
        assertTrue(ex.getMessage().startsWith("admin.token_file " + missing + ": cannot read"), ex.getMessage());
        final Path spaced = dir.resolve("spaced");
        Files.write(spaced, "two words".getBytes(StandardCharsets.US_ASCII));
        assertThrows(IOException.class, () -> AdminAccess.readToken(spaced));
    }
}
