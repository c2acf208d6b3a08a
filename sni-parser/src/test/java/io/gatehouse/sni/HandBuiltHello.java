package io.gatehouse.sni;

import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * A small ClientHello written field by field, each length computed from what follows and then moved
 * by a delta (keyed by the field's name) so a test can make any one length lie.
 */
final class HandBuiltHello
{
    static final String[] LENGTH_FIELDS =
    {
        "record", "handshake", "session_id", "cipher_suites", "compression_methods", "extensions",
        "sni_extension", "sni_list", "host_name", "alpn_extension", "alpn_list", "alpn_h2",
        "versions_extension", "versions_list"
    };

    private HandBuiltHello()
    {
    }

    static byte[] hello(final String name)
    {
        return hello(name, Map.of());
    }

    static byte[] hello(final String name, final Map<String, Integer> deltas)
    {
        final byte[] host = Flight.ascii(name);
        final byte[] sni = cat(
            u16(0x0000),                                                         // extension_type server_name
            u16(2 + 3 + host.length + d(deltas, "sni_extension")),               // extension_data length
            u16(3 + host.length + d(deltas, "sni_list")),                        // ServerNameList length
            u8(0),                                                               // name_type host_name
            u16(host.length + d(deltas, "host_name")),                           // HostName length
            host);                                                               // HostName
        final byte[] alpn = cat(
            u16(0x0010),                                                         // extension_type ALPN
            u16(2 + 3 + 9 + d(deltas, "alpn_extension")),                        // extension_data length
            u16(3 + 9 + d(deltas, "alpn_list")),                                 // ProtocolNameList length
            u8(2 + d(deltas, "alpn_h2")), Flight.ascii("h2"),                    // ProtocolName "h2"
            u8(8), Flight.ascii("http/1.1"));                                    // ProtocolName "http/1.1"
        final byte[] versions = cat(
            u16(0x002b),                                                         // extension_type supported_versions
            u16(1 + 4 + d(deltas, "versions_extension")),                        // extension_data length
            u8(4 + d(deltas, "versions_list")),                                  // versions length
            u16(0x0304), u16(0x0303));                                           // TLS 1.3, TLS 1.2
        final byte[] extensions = cat(sni, alpn, versions);
        final byte[] sessionId = new byte[32];
        java.util.Arrays.fill(sessionId, (byte)0x5a);
        final byte[] random = new byte[32];
        java.util.Arrays.fill(random, (byte)0xa5);
        final byte[] body = cat(
            u16(0x0303),                                                         // legacy_version TLS 1.2
            random,                                                              // random
            u8(32 + d(deltas, "session_id")), sessionId,                         // legacy_session_id
            u16(6 + d(deltas, "cipher_suites")), u16(0x1301), u16(0x1302), u16(0xc02f), // cipher_suites
            u8(1 + d(deltas, "compression_methods")), u8(0),                    // compression: null
            u16(extensions.length + d(deltas, "extensions")), extensions);      // extensions
        final byte[] handshake = cat(
            u8(1),                                                               // msg_type client_hello
            u24(body.length + d(deltas, "handshake")),                           // length
            body);
        return cat(
            u8(22),                                                              // ContentType handshake
            u16(0x0301),                                                         // legacy_record_version
            u16(handshake.length + d(deltas, "record")),                         // length
            handshake);
    }

    /** A hello with the given extensions (each a complete type+length+data) and nothing else around them. */
    static byte[] withExtensions(final byte[]... extensions)
    {
        final byte[] all = cat(extensions);
        final byte[] body = cat(u16(0x0303), new byte[32], u8(0), u16(2), u16(0x1301), u8(1), u8(0), u16(all.length), all);
        return record(cat(u8(1), u24(body.length), body));
    }

    static byte[] record(final byte[] handshake)
    {
        return cat(u8(22), u16(0x0301), u16(handshake.length), handshake);
    }

    static byte[] sniExtension(final int nameType, final String name)
    {
        final byte[] host = Flight.ascii(name);
        return cat(u16(0), u16(5 + host.length), u16(3 + host.length), u8(nameType), u16(host.length), host);
    }

    static byte[] extension(final int type, final byte[] data)
    {
        return cat(u16(type), u16(data.length), data);
    }

    private static int d(final Map<String, Integer> deltas, final String field)
    {
        return deltas.getOrDefault(field, 0);
    }

    static byte[] u8(final int value)
    {
        return new byte[] {(byte)value};
    }

    static byte[] u16(final int value)
    {
        return new byte[] {(byte)(value >>> 8), (byte)value};
    }

    static byte[] u24(final int value)
    {
        return new byte[] {(byte)(value >>> 16), (byte)(value >>> 8), (byte)value};
    }

    static byte[] cat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }
}
