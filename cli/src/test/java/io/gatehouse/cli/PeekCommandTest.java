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
}
