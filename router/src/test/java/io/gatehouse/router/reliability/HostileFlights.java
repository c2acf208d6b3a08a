package io.gatehouse.router.reliability;

import io.gatehouse.sni.ClientHelloBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The corpus of malformed and hostile first flights. Each entry is named so a failure says which one.
 * Flights for the plain listener are mutations of a valid ClientHello for {@code a.test} (every byte
 * plus and minus one, which puts every length field's low byte off by one in both directions, lying
 * extension lengths, truncations), oversized handshakes, SSLv2 hellos, garbage and HTTP smuggling
 * shapes; flights for the PROXY-trusting listener are PROXY v1/v2 headers with lying lengths.
 */
final class HostileFlights
{
    /** One first flight and why it is in the corpus. */
    record Flight(String name, byte[] bytes)
    {
    }

    static final String HOST = "a.test";

    private HostileFlights()
    {
    }

    static byte[] validHello()
    {
        return new ClientHelloBuilder().serverName(HOST).alpn("h2", "http/1.1").seed(8).build();
    }

    /** Flights for a listener with {@code protocol: auto} that does not trust PROXY headers. */
    static List<Flight> plain()
    {
        final List<Flight> flights = new ArrayList<>();
        final byte[] hello = validHello();
        flights.add(new Flight("valid hello", hello));
        for (int i = 0; i < hello.length; i++)
        {
            flights.add(new Flight("hello byte " + i + " +1", mutate(hello, i, 1)));
            flights.add(new Flight("hello byte " + i + " -1", mutate(hello, i, -1)));
        }
        addLyingExtensionLengths(flights, hello);
        for (final int cut : new int[] {1, 4, 5, 6, 9, 43, 100, hello.length - 1})
        {
            final byte[] truncated = new byte[Math.min(cut, hello.length)];
            System.arraycopy(hello, 0, truncated, 0, truncated.length);
            flights.add(new Flight("hello truncated to " + truncated.length, truncated));
        }
        flights.add(new Flight("64 KiB of handshake in 16 KiB records",
            new ClientHelloBuilder().serverName(HOST).padToBytes(64 * 1024).seed(9).build()));
        flights.add(new Flight("64 KiB of handshake in 1 KiB records",
            new ClientHelloBuilder().serverName(HOST).padToBytes(64 * 1024).maxRecordBytes(1024).seed(10).build()));
        flights.add(new Flight("post-quantum hello in 3 records",
            new ClientHelloBuilder().serverName(HOST).postQuantumKeyShare(true).records(3).seed(11).build()));
        flights.add(new Flight("record length 0xffff with 5 bytes", new byte[] {0x16, 0x03, 0x01, (byte)0xff, (byte)0xff}));
        flights.add(new Flight("empty handshake record", new byte[] {0x16, 0x03, 0x01, 0x00, 0x00}));
        flights.add(new Flight("handshake length 0xffffff", new byte[] {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, (byte)0xff, (byte)0xff,
            (byte)0xff}));
        flights.add(new Flight("alert record first", new byte[] {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28}));
        flights.add(new Flight("SSLv2 compatible hello", sslv2Hello()));
        flights.add(new Flight("SSLv2 hello with lying length", lie(sslv2Hello(), 1, 0x7f)));
        final Random random = new Random(42);
        for (final int length : new int[] {1, 2, 7, 64, 1000, 4096, 16384, 20000})
        {
            final byte[] garbage = new byte[length];
            random.nextBytes(garbage);
            flights.add(new Flight("garbage " + length + " bytes", garbage));
        }
        flights.add(new Flight("zeros 1 KiB", new byte[1024]));
        flights.add(new Flight("0xff 1 KiB", filled(1024, (byte)0xff)));
        addHttp(flights);
        flights.add(new Flight("PROXY v2 from an untrusted source", proxyV2(0, 0, HOST)));
        flights.add(new Flight("PROXY v1 from an untrusted source", ascii("PROXY TCP4 10.0.0.1 10.0.0.2 1234 80\r\n"
            + "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")));
        return flights;
    }

    /** Flights for a listener that trusts loopback to send a PROXY header first. */
    static List<Flight> proxied()
    {
        final List<Flight> flights = new ArrayList<>();
        final byte[] hello = validHello();
        flights.add(new Flight("valid PROXY v2 then a valid hello", concat(proxyV2(0, 0, HOST), hello)));
        flights.add(new Flight("valid PROXY v1 then a valid hello", concat(ascii("PROXY TCP4 10.0.0.1 10.0.0.2 1234 443\r\n"), hello)));
        for (final int tlvLie : new int[] {-3, -1, 1, 2, 200, 0x7fff})
        {
            flights.add(new Flight("PROXY v2 TLV length off by " + tlvLie, concat(proxyV2(tlvLie, 0, HOST), hello)));
        }
        for (final int lengthLie : new int[] {-1, -5, -12, 1, 3})
        {
            flights.add(new Flight("PROXY v2 header length off by " + lengthLie, concat(proxyV2(0, lengthLie, HOST), hello)));
        }
        flights.add(new Flight("PROXY v2 with a 0-length authority TLV", concat(proxyV2(0, 0, ""), hello)));
        flights.add(new Flight("PROXY v2 bad version nibble", concat(lie(proxyV2(0, 0, HOST), 12, 0x31), hello)));
        flights.add(new Flight("PROXY v2 bad family", concat(lie(proxyV2(0, 0, HOST), 13, 0x71), hello)));
        flights.add(new Flight("PROXY v1 port 99999", concat(ascii("PROXY TCP4 10.0.0.1 10.0.0.2 99999 443\r\n"), hello)));
        flights.add(new Flight("PROXY v1 address 300.0.0.1", concat(ascii("PROXY TCP4 300.0.0.1 10.0.0.2 1 443\r\n"), hello)));
        flights.add(new Flight("PROXY v1 with no CRLF in 200 bytes", ascii("PROXY TCP4 " + "1".repeat(200))));
        flights.add(new Flight("PROXY v1 UNKNOWN then a valid hello", concat(ascii("PROXY UNKNOWN\r\n"), hello)));
        flights.add(new Flight("no PROXY header from a trusted source", hello));
        flights.add(new Flight("garbage from a trusted source", filled(64, (byte)0x5a)));
        return flights;
    }

    /**
     * A PROXY v2 PROXY TCP4 header with one PP2_TYPE_AUTHORITY TLV carrying {@code authority}; the TLV's
     * length field lies by {@code tlvLie} and the header's length field by {@code lengthLie}.
     */
    static byte[] proxyV2(final int tlvLie, final int lengthLie, final String authority)
    {
        final byte[] name = authority.getBytes(StandardCharsets.US_ASCII);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(0x21);
        out.write(0x11);
        final int length = 12 + 3 + name.length + lengthLie;
        out.write((length >>> 8) & 0xff);
        out.write(length & 0xff);
        out.writeBytes(new byte[] {10, 0, 0, 1, 10, 0, 0, 2, 0x04, (byte)0xd2, 0x01, (byte)0xbb});
        out.write(0x02);
        final int tlvLength = name.length + tlvLie;
        out.write((tlvLength >>> 8) & 0xff);
        out.write(tlvLength & 0xff);
        out.writeBytes(name);
        return out.toByteArray();
    }

    private static void addLyingExtensionLengths(final List<Flight> flights, final byte[] hello)
    {
        // Record(5) + handshake header(4) + version(2) + random(32), then session id, suites, compression, extensions.
        int at = 5 + 4 + 2 + 32;
        at += 1 + (hello[at] & 0xff);
        at += 2 + (((hello[at] & 0xff) << 8) | (hello[at + 1] & 0xff));
        at += 1 + (hello[at] & 0xff);
        final int extensionsLengthAt = at;
        final int end = at + 2 + (((hello[at] & 0xff) << 8) | (hello[at + 1] & 0xff));
        at += 2;
        flights.add(new Flight("extensions length 0xffff", lie16(hello, extensionsLengthAt, 0xffff)));
        int index = 0;
        while (end - at >= 4)
        {
            final int type = ((hello[at] & 0xff) << 8) | (hello[at + 1] & 0xff);
            final int length = ((hello[at + 2] & 0xff) << 8) | (hello[at + 3] & 0xff);
            for (final int lie : new int[] {-1, 1, 0xffff - length})
            {
                flights.add(new Flight("extension " + index + " (type " + type + ") length " + (length + lie) + " instead of " + length,
                    lie16(hello, at + 2, length + lie)));
            }
            at += 4 + length;
            index++;
        }
    }

    private static void addHttp(final List<Flight> flights)
    {
        final String[] heads = {
            "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost:\r\n a.test\r\n\r\n",
            "GET / HTTP/1.1\r\nX-Pad: x\r\n\tHost: b.test\r\nHost: a.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a.test\r\n\r\n",
            "GET / HTTP/1.1\r\n Host: a.test\r\n\r\n",
            "GET / HTTP/1.1\nHost: a.test\n\n",
            "GET / HTTP/1.1\r\nHost: a.test\nX: y\r\n\r\n",
            "GET http://b.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a.test\u0000.b.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a.test, b.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a.test@b.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: A.TEST.:8080\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a.test:99999999\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: b.test\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
            "GET /\r\nHost: a.test\r\n\r\n",
            "G\u00c9T / HTTP/1.1\r\nHost: a.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: " + "a".repeat(300) + ".test\r\n\r\n",
            "GET / HTTP/1.1\r\nX-Long: " + "x".repeat(20_000) + "\r\nHost: a.test\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0004\u0001\u0005\u0000\u0000\u0000\u0001\u00ff\u00ff\u00ff\u00ff",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + "\u00ff".repeat(64),
        };
        for (int i = 0; i < heads.length; i++)
        {
            final String shown = heads[i].length() > 60 ? heads[i].substring(0, 60) + "..." : heads[i];
            flights.add(new Flight("http " + i + ": " + shown.replace("\r", "\\r").replace("\n", "\\n"),
                heads[i].getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    private static byte[] sslv2Hello()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int cipherSpecBytes = 21;
        final int challengeBytes = 16;
        final int body = 9 + cipherSpecBytes + challengeBytes;
        out.write(0x80 | ((body >>> 8) & 0x7f));
        out.write(body & 0xff);
        out.writeBytes(new byte[] {0x01, 0x03, 0x01, 0x00, (byte)cipherSpecBytes, 0x00, 0x00, 0x00, (byte)challengeBytes});
        for (int i = 0; i < cipherSpecBytes; i++)
        {
            out.write(i % 3 == 0 ? 0x00 : 0x2f);
        }
        out.writeBytes(filled(challengeBytes, (byte)0x11));
        return out.toByteArray();
    }

    private static byte[] mutate(final byte[] bytes, final int index, final int delta)
    {
        final byte[] copy = bytes.clone();
        copy[index] = (byte)(copy[index] + delta);
        return copy;
    }

    private static byte[] lie(final byte[] bytes, final int index, final int value)
    {
        final byte[] copy = bytes.clone();
        copy[index] = (byte)value;
        return copy;
    }

    private static byte[] lie16(final byte[] bytes, final int index, final int value)
    {
        final byte[] copy = bytes.clone();
        copy[index] = (byte)(value >>> 8);
        copy[index + 1] = (byte)value;
        return copy;
    }

    private static byte[] filled(final int length, final byte value)
    {
        final byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
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
