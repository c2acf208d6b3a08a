package io.gatehouse.router.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Literal IPv4 ({@code 192.0.2.1}) and IPv6 ({@code 2001:db8::1}) address text to bytes, never a DNS
 * lookup. Control path only.
 */
public final class InetLiteral
{
    private InetLiteral()
    {
    }

    /** 4 or 16 bytes, or {@code null} when the text is not a literal address. */
    public static byte[] parse(final String text)
    {
        if (text.indexOf(':') >= 0)
        {
            return parseIpv6(text);
        }
        return parseIpv4(text);
    }

    /** 4 bytes, or {@code null}. Decimal dotted quad only. */
    public static byte[] parseIpv4(final String text)
    {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            return null;
        }
        final byte[] out = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            final String part = parts[i];
            if (part.isEmpty() || part.length() > 3)
            {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++)
            {
                final char c = part.charAt(j);
                if (c < '0' || c > '9')
                {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255)
            {
                return null;
            }
            out[i] = (byte)value;
        }
        return out;
    }

    private static byte[] parseIpv6(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.')
            {
                return null;
            }
        }
        try
        {
            // Text of hex digits, ':' and '.' containing ':' is parsed as an IPv6 literal, never resolved.
            final byte[] bytes = InetAddress.getByName("[" + text + "]").getAddress();
            if (bytes.length == 4)
            {
                final byte[] mapped = new byte[16];
                mapped[10] = (byte)0xFF;
                mapped[11] = (byte)0xFF;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            return bytes;
        }
        catch (final UnknownHostException ex)
        {
            return null;
        }
    }
}
