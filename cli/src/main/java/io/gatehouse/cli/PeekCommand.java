package io.gatehouse.cli;

import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse peek [FILE|-] [--hex]}: runs the router's peek over the first bytes a client sent
 * and prints one JSON object (CONTRACT.md). Exit 0: recognised with a name; 3: more bytes needed;
 * 2: anything else, including a file that cannot be read (then a line on stderr, nothing on stdout).
 */
@Command(
    name = "peek",
    mixinStandardHelpOptions = true,
    description = {
        "Peeks at a client's first bytes (TLS ClientHello, HTTP/1.x request, h2c preface) and prints one JSON object:",
        "status, protocol, name, alpn, tlsVersions, ech, reason.",
        "Exit status: 0 recognised with a name, 3 more bytes needed, 2 otherwise."
    })
public final class PeekCommand implements Callable<Integer>
{
    static final int EXIT_OK = 0;
    static final int EXIT_OTHER = 2;
    static final int EXIT_NEED_MORE_DATA = 3;
    private static final int MAX_INPUT_BYTES = 4 * FirstFlightParser.MAX_BYTES_CAP;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = "-", paramLabel = "FILE|-", description = "raw bytes, or - for stdin (default)")
    String file;

    @Option(names = "--hex", description = "the input is hex text (whitespace and '#' comment lines ignored)")
    boolean hex;

    @Option(names = "--max-bytes", defaultValue = "16384", paramLabel = "N",
        description = "the peek's byte budget, 1..65536 (default ${DEFAULT-VALUE}, the router's default)")
    int maxBytes;

    @Override
    public Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        if (maxBytes < 1 || maxBytes > FirstFlightParser.MAX_BYTES_CAP)
        {
            err.println("gatehouse peek: --max-bytes must be 1.." + FirstFlightParser.MAX_BYTES_CAP);
            err.flush();
            return EXIT_OTHER;
        }
        final byte[] bytes;
        try
        {
            final byte[] input = read();
            bytes = hex ? decodeHex(new String(input, StandardCharsets.US_ASCII)) : input;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            err.println("gatehouse peek: " + ("-".equals(file) ? "stdin" : file) + ": " + ex.getMessage());
            err.flush();
            return EXIT_OTHER;
        }
        final FirstFlightParser parser = new FirstFlightParser(maxBytes, true, true);
        final PeekStatus status = parser.parse(new UnsafeBuffer(bytes), 0, bytes.length);
        final PrintWriter out = spec.commandLine().getOut();
        out.println(json(parser, status));
        out.flush();
        return status == PeekStatus.OK ? EXIT_OK : status == PeekStatus.NEED_MORE_DATA ? EXIT_NEED_MORE_DATA : EXIT_OTHER;
    }

    private byte[] read() throws IOException
    {
        if ("-".equals(file))
        {
            return System.in.readNBytes(MAX_INPUT_BYTES);
        }
        try (InputStream in = Files.newInputStream(Path.of(file)))
        {
            return in.readNBytes(MAX_INPUT_BYTES);
        }
    }

    /** Hex text to bytes; whitespace and lines starting with '#' are ignored. */
    static byte[] decodeHex(final String text)
    {
        final StringBuilder digits = new StringBuilder(text.length());
        for (final String line : text.split("\n", -1))
        {
            if (line.strip().startsWith("#"))
            {
                continue;
            }
            for (int i = 0; i < line.length(); i++)
            {
                final char c = line.charAt(i);
                if (Character.digit(c, 16) >= 0)
                {
                    digits.append(c);
                }
                else if (!Character.isWhitespace(c))
                {
                    throw new IllegalArgumentException("not hex: '" + c + "'");
                }
            }
        }
        if ((digits.length() & 1) != 0)
        {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        final byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)((Character.digit(digits.charAt(2 * i), 16) << 4) | Character.digit(digits.charAt(2 * i + 1), 16));
        }
        return bytes;
    }

    /** The contract's JSON object for one parse. */
    static String json(final FirstFlightParser parser, final PeekStatus status)
    {
        final StringBuilder json = new StringBuilder(256);
        json.append("{\"status\": \"").append(status.name()).append('"');
        json.append(", \"protocol\": ");
        if (parser.protocol() == null)
        {
            json.append("null");
        }
        else
        {
            json.append('"').append(parser.protocol().name().toLowerCase(java.util.Locale.ROOT)).append('"');
        }
        json.append(", \"name\": ");
        if (status == PeekStatus.OK)
        {
            string(json, parser.name(), 0, parser.nameLength());
        }
        else
        {
            json.append("null");
        }
        json.append(", \"alpn\": [");
        for (int i = 0; i < parser.alpnCount(); i++)
        {
            if (i > 0)
            {
                json.append(", ");
            }
            string(json, parser.alpnBuffer(), parser.alpnOffset(i), parser.alpnLength(i));
        }
        json.append("], \"tlsVersions\": [");
        final String[] names = {"1.0", "1.1", "1.2", "1.3"};
        boolean first = true;
        for (int bit = names.length - 1; bit >= 0; bit--)
        {
            if ((parser.tlsVersions() & (1 << bit)) != 0)
            {
                json.append(first ? "" : ", ").append('"').append(names[bit]).append('"');
                first = false;
            }
        }
        json.append("], \"ech\": ").append(parser.echPresent());
        json.append(", \"reason\": ");
        if (parser.reason() == null)
        {
            json.append("null");
        }
        else
        {
            string(json, parser.reason());
        }
        return json.append('}').toString();
    }

    private static void string(final StringBuilder json, final DirectBuffer buffer, final int offset, final int length)
    {
        json.append('"');
        for (int i = 0; i < length; i++)
        {
            escape(json, (char)(buffer.getByte(offset + i) & 0xff));
        }
        json.append('"');
    }

    private static void string(final StringBuilder json, final String text)
    {
        json.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            escape(json, text.charAt(i));
        }
        json.append('"');
    }

    private static void escape(final StringBuilder json, final char c)
    {
        if (c == '"' || c == '\\')
        {
            json.append('\\').append(c);
        }
        else if (c < 0x20 || c >= 0x7f)
        {
            json.append(String.format("\\u%04x", (int)c));
        }
        else
        {
            json.append(c);
        }
    }
}
