package io.gatehouse.sni;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/** Test-side view of a first flight and of what a parser said about it (allocates; tests only). */
record Flight(
    PeekStatus status, PeekProtocol protocol, String name, List<String> alpn, int tlsVersions, boolean ech, String reason)
{
    static Flight peek(final byte[] bytes)
    {
        return peek(new FirstFlightParser(), bytes, bytes.length);
    }

    static Flight peek(final FirstFlightParser parser, final byte[] bytes, final int length)
    {
        final PeekStatus status = parser.parse(new UnsafeBuffer(bytes, 0, length), 0, length);
        return of(parser, status);
    }

    static Flight of(final FirstFlightParser parser, final PeekStatus status)
    {
        final List<String> alpn = new ArrayList<>();
        for (int i = 0; i < parser.alpnCount(); i++)
        {
            alpn.add(parser.alpnBuffer().getStringWithoutLengthAscii(parser.alpnOffset(i), parser.alpnLength(i)));
        }
        final String name = status == PeekStatus.OK ? parser.name().getStringWithoutLengthAscii(0, parser.nameLength()) : null;
        return new Flight(status, parser.protocol(), name, alpn, parser.tlsVersions(), parser.echPresent(), parser.reason());
    }

    /** Hex text: '#' starts a comment line; whitespace is ignored. */
    static byte[] fromHex(final String text)
    {
        final StringBuilder digits = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            final String trimmed = line.strip();
            if (!trimmed.startsWith("#"))
            {
                digits.append(trimmed.replaceAll("\\s+", ""));
            }
        }
        final byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    static byte[] fixture(final String name)
    {
        try (InputStream in = Flight.class.getResourceAsStream("/fixtures/" + name + ".hex"))
        {
            if (in == null)
            {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return fromHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] out = new byte[length];
        int offset = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }
}
