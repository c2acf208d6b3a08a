package io.gatehouse.router.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test bytes written as commented hex: {@code hex("0D 0A // CRLF", "21 // v2 PROXY")}. */
final class ProxyBytes
{
    private ProxyBytes()
    {
    }

    /** Each argument is hex pairs, optionally followed by a {@code //} comment. */
    static byte[] hex(final String... lines)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final String line : lines)
        {
            final int comment = line.indexOf("//");
            final String digits = (comment >= 0 ? line.substring(0, comment) : line).replaceAll("\\s+", "");
            if (digits.length() % 2 != 0)
            {
                throw new IllegalArgumentException("odd hex digits in: " + line);
            }
            for (int i = 0; i < digits.length(); i += 2)
            {
                out.write(Integer.parseInt(digits.substring(i, i + 2), 16));
            }
        }
        return out.toByteArray();
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
