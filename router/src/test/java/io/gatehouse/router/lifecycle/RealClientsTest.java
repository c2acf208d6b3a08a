package io.gatehouse.router.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real traffic from clients and servers nobody here wrote, through the router as a child process, on
 * each transport and relay mode (issue 11): wrk keep-alive and {@code Connection: close} over TLS, wrk
 * {@code Connection: close} in plain HTTP, h2load over TLS and h2c, ab over TLS and plain HTTP, curl;
 * nginx (TLS with h2 and http/1.1, plain HTTP/1.1, h2c) and HAProxy (plain HTTP) as backends. A cell fails
 * on any client error, any non-2xx answer, any backend connect failure, any {@code end} of {@code error} or
 * {@code connect_failed} in the access log, any connection left active, any router fd left over, or a
 * Netty leak report.
 *
 * <p>The TLS clients connect to {@code 127.0.0.1} (no name they would send routes), so the listener's
 * default route is the TLS nginx; the plain-HTTP clients name their backend with a {@code Host} (or
 * {@code :authority}) header. Needs wrk, h2load (nghttp2-client), ab (apache2-utils), curl, nginx,
 * haproxy, openssl and python3 on the PATH; {@code .ci/run} installs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RealClientsTest
{
    private static final Map<String, String> TOOLS = Map.of(
        "wrk", "wrk", "h2load", "nghttp2-client", "ab", "apache2-utils", "curl", "curl",
        "nginx", "nginx", "haproxy", "haproxy", "openssl", "openssl", "python3", "python3");
    private static final String DURATION = System.getProperty("gatehouse.realclients.duration", "2s");
    private static final int REQUESTS = Integer.getInteger("gatehouse.realclients.requests", 1000);
    private static final Pattern END = Pattern.compile("\"end\":\"([^\"]*)\"");

    private Path dir;
    private ExternalServer nginx;
    private ExternalServer haproxy;

    @BeforeAll
    void startBackends() throws Exception
    {
        final List<String> missing = new ArrayList<>();
        for (final Map.Entry<String, String> tool : new TreeMap<>(TOOLS).entrySet())
        {
            if (tool(tool.getKey()) == null)
            {
                missing.add(tool.getKey() + " (apt package " + tool.getValue() + ")");
            }
        }
        if (!missing.isEmpty())
        {
            fail("the real-client check needs these on the PATH: " + String.join(", ", missing)
                + "; .ci/run installs them with apt-get");
        }
        dir = Files.createTempDirectory("gatehouse-real-clients-");
        run(dir, 60, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "2",
            "-subj", "/CN=tls.example.test", "-addext", "subjectAltName=DNS:tls.example.test");
        for (final String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi"))
        {
            Files.createDirectories(dir.resolve("nginx").resolve(temp));
        }
        final Path n = dir.resolve("nginx");
        nginx = ExternalServer.start("nginx", dir, String.join("\n",
            "worker_processes 1;",
            "error_log " + n.resolve("error.log") + " warn;",
            "pid " + n.resolve("nginx.pid") + ";",
            "events { worker_connections 4096; }",
            "http {",
            "  access_log off;",
            "  client_body_temp_path " + n.resolve("body") + "; proxy_temp_path " + n.resolve("proxy") + ";",
            "  fastcgi_temp_path " + n.resolve("fastcgi") + "; uwsgi_temp_path " + n.resolve("uwsgi") + "; scgi_temp_path " + n.resolve("scgi") + ";",
            "  keepalive_requests 100000;",
            "  server { listen 127.0.0.1:@PORT0@; location / { return 200 \"plain ok\\n\"; } }",
            "  server { listen 127.0.0.1:@PORT1@ http2; location / { return 200 \"h2c ok\\n\"; } }",
            "  server { listen 127.0.0.1:@PORT2@ ssl http2; ssl_certificate " + dir.resolve("cert.pem") + ";",
            "    ssl_certificate_key " + dir.resolve("key.pem") + "; location / { return 200 \"tls ok\\n\"; } }",
            "}", ""), n.resolve("nginx.conf"), 3, "NGINX",
            List.of(tool("nginx"), "-p", n.toString(), "-c", n.resolve("nginx.conf").toString(), "-g", "daemon off;"));
        haproxy = ExternalServer.start("haproxy", dir, String.join("\n",
            "global",
            "  maxconn 4096",
            "defaults",
            "  mode http",
            "  timeout connect 5s",
            "  timeout client 30s",
            "  timeout server 30s",
            "frontend answer",
            "  bind fd@@FD0@",
            "  http-request return status 200 content-type text/plain string \"haproxy ok\"",
            ""), dir.resolve("haproxy.cfg"), 1, "-", List.of(tool("haproxy"), "-db", "-f", dir.resolve("haproxy.cfg").toString()));
    }

    @AfterAll
    void stopBackends() throws Exception
    {
        if (nginx != null)
        {
            nginx.close();
        }
        if (haproxy != null)
        {
            haproxy.close();
        }
        if (dir != null)
        {
            try (java.util.stream.Stream<Path> files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"io_uring, copy", "epoll, copy", "epoll, splice", "nio, copy"})
    void shouldServeRealClientsWithNoErrorAndNothingLeftOpen(final String transport, final String relay) throws Exception
    {
        assumeTrue(!transport.equals("io_uring") || io.netty.channel.uring.IoUring.isAvailable(), "io_uring not available");
        assumeTrue(!transport.equals("epoll") || io.netty.channel.epoll.Epoll.isAvailable(), "epoll not available");
        final Path cellDir = Files.createDirectories(dir.resolve(transport + "-" + relay));
        try (RouterChild router = RouterChild.start(cellDir, transport, relay,
            "      - hostnames: [tls.example.test]\n"
            + "        backends: [\"127.0.0.1:" + nginx.port(2) + "\"]\n"
            + "      - hostnames: [plain.example.test]\n"
            + "        backends: [\"127.0.0.1:" + nginx.port(0) + "\"]\n"
            + "      - hostnames: [h2c.example.test]\n"
            + "        backends: [\"127.0.0.1:" + nginx.port(1) + "\"]\n"
            + "      - hostnames: [haproxy.example.test]\n"
            + "        backends: [\"127.0.0.1:" + haproxy.port(0) + "\"]\n",
            "tls.example.test"))
        {
            final String vip = "127.0.0.1:" + router.vip().getPort();
            final List<String> problems = new ArrayList<>();
            final List<String> figures = new ArrayList<>();
            // curl first: a freshly started router JVM's first peeks run cold (seconds on a loaded 2-core
            // host), which would show as a wrk run of 2 s with 0 requests, not as a lifecycle fault.
            client(problems, figures, cellDir, "curl TLS by SNI, two requests on one connection", output -> expectBody(output, "tls ok\ntls ok\n"),
                "curl", "-sS", "-k", "--connect-to", "tls.example.test:443:" + vip, "https://tls.example.test/", "https://tls.example.test/");
            client(problems, figures, cellDir, "curl haproxy", output -> expectBody(output, "haproxy ok"),
                "curl", "-sS", "-H", "Host: haproxy.example.test", "http://" + vip + "/");
            client(problems, figures, cellDir, "curl h2c", output -> expectBody(output, "h2c ok\n"),
                "curl", "-sS", "--http2-prior-knowledge", "-H", "Host: h2c.example.test", "http://" + vip + "/");

            RouterChild.settle(10, () -> router.activeConnections() == 0);
            final RouterChild.Fds fdsBefore = router.fds();
            final int pipeAllowance = relay.equals("splice") ? RouterChild.WORKERS * 32 * 2 : 0;

            client(problems, figures, cellDir, "wrk keep-alive TLS", this::wrk,
                "wrk", "-t1", "-c16", "-d" + DURATION, "https://" + vip + "/");
            client(problems, figures, cellDir, "wrk Connection: close TLS", this::wrk,
                "wrk", "-t1", "-c16", "-d" + DURATION, "-H", "Connection: close", "https://" + vip + "/");
            client(problems, figures, cellDir, "wrk Connection: close to haproxy", this::wrk,
                "wrk", "-t1", "-c16", "-d" + DURATION, "-H", "Host: haproxy.example.test", "-H", "Connection: close", "http://" + vip + "/");
            client(problems, figures, cellDir, "h2load TLS", this::h2load,
                "h2load", "-n", Integer.toString(REQUESTS), "-c", "16", "-m", "4", "https://" + vip + "/");
            client(problems, figures, cellDir, "h2load h2c", this::h2load,
                "h2load", "-n", Integer.toString(REQUESTS), "-c", "16", "-m", "4", "-H", ":authority: h2c.example.test", "http://" + vip + "/");
            client(problems, figures, cellDir, "ab TLS", this::ab,
                "ab", "-q", "-n", Integer.toString(REQUESTS / 2), "-c", "16", "https://" + vip + "/");
            client(problems, figures, cellDir, "ab plain", this::ab,
                "ab", "-q", "-n", Integer.toString(REQUESTS), "-c", "16", "-H", "Host: plain.example.test", "http://" + vip + "/");
            RouterChild.settle(10, () -> router.activeConnections() == 0);
            RouterChild.settle(10, () -> fdsBefore.covers(router.fds(), pipeAllowance));
            final long active = router.activeConnections();
            final RouterChild.Fds fds = router.fds();
            final long connectFailures = router.metric("gatehouse_backend_connect_failures_total");
            final long accepted = router.metric("gatehouse_connections_accepted_total");
            RouterChild.settle(10, () -> logLines(router) >= accepted);
            final Map<String, Integer> ends = ends(router);
            if (active != 0)
            {
                problems.add("gatehouse_connections_active " + active + " after every client finished");
            }
            if (!fdsBefore.covers(fds, pipeAllowance))
            {
                problems.add(fdsBefore.excess(fds, pipeAllowance) + " router fds left over (" + fds + "; before the clients " + fdsBefore + ")");
            }
            if (connectFailures != 0)
            {
                problems.add(connectFailures + " backend connect failures against healthy nginx and haproxy");
            }
            for (final String bad : List.of("error", "connect_failed", "idle_timeout", "local_resource"))
            {
                if (ends.containsKey(bad))
                {
                    problems.add(ends.get(bad) + " access-log lines with end " + bad);
                }
            }
            if (router.stderr().contains("LEAK:"))
            {
                problems.add("Netty leak report on the router's stderr");
            }
            System.out.println("real-clients: " + transport + " " + relay + ": " + String.join("; ", figures) + "; accepted "
                + accepted + ", ends " + ends + ", left active " + active + ", fds " + fds + " (before " + fdsBefore + ")"
                + (problems.isEmpty() ? " PASS" : " FAIL"));
            assertTrue(problems.isEmpty(), transport + " " + relay + ": " + String.join("; ", problems));
        }
    }

    /** Checks one client run's output; returns a figure to print, or throws {@link AssertionError} with what was wrong. */
    private interface Check
    {
        String check(String output);
    }

    private static void client(final List<String> problems, final List<String> figures, final Path dir, final String what,
        final Check check, final String... command)
    {
        try
        {
            final String output = run(dir, 60, command);
            figures.add(what + ": " + check.check(output));
        }
        catch (final AssertionError | Exception ex)
        {
            problems.add(what + ": " + ex.getMessage());
            figures.add(what + ": FAILED");
        }
    }

    private String wrk(final String output)
    {
        final Matcher requests = Pattern.compile("(\\d+) requests in").matcher(output);
        if (!requests.find() || Long.parseLong(requests.group(1)) == 0)
        {
            throw new AssertionError("no requests completed: " + output);
        }
        if (output.contains("Socket errors") || output.contains("Non-2xx"))
        {
            throw new AssertionError(requests.group(1) + " requests, " + line(output, "Socket errors") + " " + line(output, "Non-2xx"));
        }
        return requests.group(1) + " requests, 0 errors";
    }

    private String h2load(final String output)
    {
        final Matcher requests = Pattern.compile("requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, "
            + "(\\d+) failed, (\\d+) errored, (\\d+) timeout").matcher(output);
        final Matcher codes = Pattern.compile("status codes: (\\d+) 2xx").matcher(output);
        if (!requests.find() || !codes.find())
        {
            throw new AssertionError("no summary: " + output);
        }
        final long total = Long.parseLong(requests.group(1));
        if (Long.parseLong(requests.group(4)) != total || Long.parseLong(codes.group(1)) != total || total == 0)
        {
            throw new AssertionError(requests.group() + ", " + codes.group() + " 2xx");
        }
        return total + " requests, all 2xx";
    }

    private String ab(final String output)
    {
        final Matcher complete = Pattern.compile("Complete requests:\\s+(\\d+)").matcher(output);
        final Matcher failed = Pattern.compile("Failed requests:\\s+(\\d+)").matcher(output);
        if (!complete.find() || !failed.find())
        {
            throw new AssertionError("no summary: " + output);
        }
        if (Long.parseLong(failed.group(1)) != 0 || output.contains("Non-2xx"))
        {
            throw new AssertionError(complete.group() + ", " + failed.group() + " " + line(output, "Non-2xx") + " " + line(output, "Length"));
        }
        return complete.group(1) + " requests, 0 failed";
    }

    private static String expectBody(final String output, final String body)
    {
        if (!output.equals(body))
        {
            throw new AssertionError("expected " + body.strip() + ", got: " + output);
        }
        return "answered";
    }

    private static String line(final String output, final String start)
    {
        return output.lines().filter(line -> line.strip().startsWith(start)).findFirst().orElse("").strip();
    }

    /** Runs {@code command} to its end within {@code seconds}; its stdout and stderr together, or an exception naming its exit. */
    private static String run(final Path dir, final int seconds, final String... command) throws IOException, InterruptedException
    {
        final Path output = Files.createTempFile(dir, "client", ".out");
        final List<String> argv = new ArrayList<>(List.of(command));
        argv.set(0, tool(command[0]));
        final Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try
        {
            if (!process.waitFor(seconds, TimeUnit.SECONDS))
            {
                throw new IOException(String.join(" ", command) + ": still running after " + seconds + " s");
            }
            final String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException(String.join(" ", command) + ": exit " + process.exitValue() + ": " + text);
            }
            return text;
        }
        finally
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static long logLines(final RouterChild router)
    {
        try
        {
            return Files.exists(router.accessLog()) ? Files.readAllLines(router.accessLog()).size() : 0;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static Map<String, Integer> ends(final RouterChild router) throws IOException
    {
        final Map<String, Integer> ends = new TreeMap<>();
        for (final String line : Files.readAllLines(router.accessLog()))
        {
            final Matcher end = END.matcher(line);
            ends.merge(end.find() ? end.group(1) : "(none)", 1, Integer::sum);
        }
        return ends;
    }

    /** {@code tool}'s absolute path from the PATH, then {@code /usr/sbin} and {@code /sbin} (nginx, haproxy), or null. */
    private static String tool(final String tool)
    {
        final List<String> folders = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)));
        folders.addAll(List.of("/usr/sbin", "/sbin"));
        for (final String folder : folders)
        {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, tool)))
            {
                return Path.of(folder, tool).toString();
            }
        }
        return null;
    }
}
