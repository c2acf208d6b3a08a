package io.gatehouse.cli;

import io.gatehouse.sni.ClientHelloBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeekCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int peek(final String... args)
    {
        final CommandLine cli = Gatehouse.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final String[] all = new String[args.length + 1];
        all[0] = "peek";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    @Test
    void shouldPrintTheJsonOfARawClientHelloAndExitZero() throws Exception
    {
        final Path file = dir.resolve("hello.bin");
        Files.write(file, new ClientHelloBuilder().serverName("A.Example.TEST.").alpn("h2", "http/1.1").encryptedClientHello(true).build());

        assertEquals(0, peek(file.toString()));
        assertEquals("{\"status\": \"OK\", \"protocol\": \"tls\", \"name\": \"a.example.test\", \"alpn\": [\"h2\", \"http/1.1\"], "
            + "\"tlsVersions\": [\"1.3\", \"1.2\"], \"ech\": true, \"reason\": null}", out.toString().strip());
    }

    @Test
    void shouldReadHexWithCommentsAndGiveTheCapturedCurlName() throws Exception
    {
        final Path file = dir.resolve("h2c.hex");
        Files.writeString(file, "# curl --http2-prior-knowledge\n" + hexOf(h2cSample()) + "\n");

        assertEquals(0, peek("--hex", file.toString()));
        assertTrue(out.toString().contains("\"protocol\": \"h2c\", \"name\": \"h2c.example.test\""), out.toString());
    }

    @Test
    void shouldExitThreeWhenMoreBytesAreNeeded() throws Exception
    {
        final byte[] hello = new ClientHelloBuilder().serverName("a.example").build();
        final Path file = dir.resolve("half.hex");
        Files.writeString(file, hexOf(java.util.Arrays.copyOf(hello, hello.length / 2)));

        assertEquals(3, peek("--hex", file.toString()));
        assertEquals("{\"status\": \"NEED_MORE_DATA\", \"protocol\": \"tls\", \"name\": null, \"alpn\": [], "
            + "\"tlsVersions\": [], \"ech\": false, \"reason\": null}", out.toString().strip());
    }

    @Test
    void shouldExitTwoWithAReasonForMalformedOrUnrecognisedBytes() throws Exception
    {
        final Path malformed = dir.resolve("dup.txt");
        Files.writeString(malformed, "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n");
        final Path garbage = dir.resolve("garbage.bin");
        Files.write(garbage, new byte[] {0, 1, 2, 3});

        assertEquals(2, peek(malformed.toString()));
        assertTrue(out.toString().contains("\"status\": \"MALFORMED\", \"protocol\": \"http1\", \"name\": null"), out.toString());
        assertTrue(out.toString().contains("\"reason\": \"http: two Host fields with different values\""), out.toString());
        assertEquals(2, peek(garbage.toString()));
        assertTrue(out.toString().contains("\"status\": \"NOT_RECOGNISED\", \"protocol\": null"), out.toString());
    }

    @Test
    void shouldExitTwoWithAMessageWhenTheInputCannotBeRead()
    {
        assertEquals(2, peek("--hex", dir.resolve("missing.hex").toString()));
        assertEquals("", out.toString());
        assertTrue(err.toString().contains("missing.hex"), err.toString());
    }

    @Test
    void shouldExitTwoForTextThatIsNotHex() throws Exception
    {
        final Path file = dir.resolve("bad.hex");
        Files.writeString(file, "16 03 zz");

        assertEquals(2, peek("--hex", file.toString()));
        assertTrue(err.toString().contains("not hex"), err.toString());
    }

    private static byte[] h2cSample() throws Exception
    {
        try (var in = PeekCommandTest.class.getResourceAsStream("/io/gatehouse/sni/samples/curl-h2c.hex"))
        {
            return PeekCommand.decodeHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    private static String hexOf(final byte[] bytes)
    {
        final StringBuilder hex = new StringBuilder();
        for (final byte b : bytes)
        {
            hex.append(String.format("%02x", b & 0xff));
        }
        return hex.toString();
    }

    private static final String ROUTES = """
        listeners:
          - name: public
            address: 127.0.0.1:1
            routes:
              - hostnames: [a.example.test]
                backends: [127.0.0.1:2]
              - hostnames: [secret.example.test]
                alpn: [h2]
                backends: [127.0.0.1:3]
              - hostnames: ["*.example.test"]
                backends: [127.0.0.1:4]
            default: a.example.test
          - name: strict
            address: 127.0.0.1:5
            routes:
              - hostnames: [a.example.test]
                backends: ["[::1]:6"]
        """;

    private String routing(final byte[] flight) throws Exception
    {
        final Path config = dir.resolve("gh.yaml");
        Files.writeString(config, ROUTES);
        final Path file = dir.resolve("flight.bin");
        Files.write(file, flight);
        out.getBuffer().setLength(0);
        peek("--config", config.toString(), file.toString());
        final String json = out.toString().strip();
        return json.substring(json.indexOf("\"routing\": "));
    }

    @Test
    void shouldSayWhichRouteEachListenerTakesAndWhy() throws Exception
    {
        assertEquals("\"routing\": [{\"listener\": \"public\", \"match\": \"exact\", \"alpn\": null, \"route\": \"a.example.test\", "
            + "\"backends\": [\"127.0.0.1:2\"], \"why\": \"'a.example.test' is one of the route's hostnames\"}, "
            + "{\"listener\": \"strict\", \"match\": \"exact\", \"alpn\": null, \"route\": \"a.example.test\", "
            + "\"backends\": [\"[::1]:6\"], \"why\": \"'a.example.test' is one of the route's hostnames\"}]}",
            routing(new ClientHelloBuilder().serverName("A.Example.Test").build()));

        final String alpn = routing(new ClientHelloBuilder().serverName("secret.example.test").alpn("h2", "http/1.1").build());
        assertTrue(alpn.startsWith("\"routing\": [{\"listener\": \"public\", \"match\": \"exact\", \"alpn\": \"h2\", "
            + "\"route\": \"secret.example.test\", \"backends\": [\"127.0.0.1:3\"], \"why\": \"'secret.example.test' is one of the "
            + "route's hostnames, and the client offers ALPN 'h2', which the route requires\"}"), alpn);
        assertTrue(alpn.contains("{\"listener\": \"strict\", \"match\": \"reject\", \"alpn\": null, \"route\": null, "
            + "\"backends\": [], \"why\": \"no route matches 'secret.example.test' with the ALPN offered: no default route, refused"), alpn);

        final String wildcard = routing(new ClientHelloBuilder().serverName("www.example.test").build());
        assertTrue(wildcard.startsWith("\"routing\": [{\"listener\": \"public\", \"match\": \"wildcard\", \"alpn\": null, "
            + "\"route\": \"*.example.test\", \"backends\": [\"127.0.0.1:4\"], \"why\": \"'*.example.test' covers 'www.example.test'\"}"),
            wildcard);

        final String fallback = routing("GET / HTTP/1.1\r\nHost: other.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(fallback.startsWith("\"routing\": [{\"listener\": \"public\", \"match\": \"default\", \"alpn\": null, "
            + "\"route\": \"a.example.test\", \"backends\": [\"127.0.0.1:2\"], \"why\": \"no route matches 'other.test': the "
            + "listener's default route 'a.example.test'\"}"), fallback);

        final String garbage = routing(new byte[] {0, 1, 2, 3});
        assertTrue(garbage.contains("{\"listener\": \"strict\", \"match\": \"close\""), garbage);
        assertTrue(garbage.contains("{\"listener\": \"public\", \"match\": \"default\""), garbage);
    }

    @Test
    void shouldSayInOneLineThatAnInputFileIsMissing() throws Exception
    {
        final Path missing = dir.resolve("missing.bin");
        assertEquals(2, peek(missing.toString()));
        assertEquals("gatehouse peek: " + missing + ": no such file\n", err.toString());
        assertEquals("", out.toString());
        err.getBuffer().setLength(0);
        final Path hello = dir.resolve("hello.bin");
        Files.write(hello, new ClientHelloBuilder().serverName("a.test").build());
        assertEquals(2, peek("--config", dir.resolve("nope.yaml").toString(), hello.toString()));
        assertEquals("gatehouse peek: " + dir.resolve("nope.yaml") + ": no such file\n", err.toString());
    }
}
