package io.gatehouse.router.cli;

import io.gatehouse.sni.ClientHelloBuilder;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Interim {@code gatehouse demo}, until the router lands: runs the peek over the sample first flights
 * embedded in sni-parser (captured from real clients, see sni-parser/README.md) and a few built with
 * {@link ClientHelloBuilder}, and prints what it found. Exit 0 when every sample gives its name.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs the peek over embedded sample first flights and prints a table (interim demo).")
public final class DemoCommand implements Callable<Integer>
{
    private static final String SAMPLES = "/io/gatehouse/sni/samples/";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        final Map<String, byte[]> samples = new LinkedHashMap<>();
        for (final String name : resource("index.txt").split("\n"))
        {
            if (!name.isBlank() && !name.startsWith("#"))
            {
                samples.put(name.strip(), PeekCommand.decodeHex(resource(name.strip() + ".hex")));
            }
        }
        samples.put("built-pq-1.8k", new ClientHelloBuilder().serverName("pq.example.test").alpn("h2", "http/1.1")
            .postQuantumKeyShare(true).padToBytes(1800).build());
        samples.put("built-16-records", new ClientHelloBuilder().serverName("records.example.test").alpn("h2")
            .padToBytes(512).records(16).build());

        final PrintWriter out = spec.commandLine().getOut();
        out.printf("%-18s %6s  %-8s %-6s %-26s %-22s %s%n", "sample", "bytes", "status", "proto", "name", "alpn", "tls");
        final FirstFlightParser parser = new FirstFlightParser();
        int failures = 0;
        for (final Map.Entry<String, byte[]> sample : samples.entrySet())
        {
            parser.reset();
            final byte[] bytes = sample.getValue();
            final PeekStatus status = parser.parse(new UnsafeBuffer(bytes), 0, bytes.length);
            failures += status == PeekStatus.OK ? 0 : 1;
            final StringBuilder alpn = new StringBuilder();
            for (int i = 0; i < Math.min(parser.alpnCount(), 3); i++)
            {
                alpn.append(i > 0 ? "," : "").append(parser.alpnBuffer().getStringWithoutLengthAscii(parser.alpnOffset(i), parser.alpnLength(i)));
            }
            if (parser.alpnCount() > 3)
            {
                alpn.append(",+").append(parser.alpnCount() - 3);
            }
            out.printf("%-18s %6d  %-8s %-6s %-26s %-22s %s%n", sample.getKey(), bytes.length, status,
                parser.protocol() == null ? "-" : parser.protocol().name().toLowerCase(java.util.Locale.ROOT),
                status == PeekStatus.OK ? parser.name().getStringWithoutLengthAscii(0, parser.nameLength()) : "-",
                alpn.length() == 0 ? "-" : alpn, versions(parser.tlsVersions()));
        }
        out.println("(interim demo: the router, backends and load generator land with their issues)");
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private static String versions(final int bits)
    {
        final StringBuilder text = new StringBuilder();
        for (int bit = 3; bit >= 0; bit--)
        {
            if ((bits & (1 << bit)) != 0)
            {
                text.append(text.length() > 0 ? "," : "").append("1.").append(bit);
            }
        }
        return text.length() == 0 ? "-" : text.toString();
    }

    private static String resource(final String name) throws IOException
    {
        try (InputStream in = DemoCommand.class.getResourceAsStream(SAMPLES + name))
        {
            if (in == null)
            {
                throw new IOException("missing resource " + SAMPLES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
