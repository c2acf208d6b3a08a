package io.gatehouse.loadgen;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The bytes of a valid TLS 1.3 ClientHello (RFC 8446 s4.1.2) the {@code connect} and {@code rr}
 * modes send first, built once per run: server_name (RFC 6066 s3) when a name is given, ALPN
 * {@code h2, http/1.1}, supported_versions, groups, signature algorithms, an X25519 key share, an
 * X25519MLKEM768 share (1,216 bytes, as browsers send since 2024) when the size asks for it, and a
 * padding extension (RFC 7685) up to the requested size. A handshake longer than one record's 16,384
 * bytes is split over several records, as a real stack does.
 *
 * <p>Control path only (built once); thread-safe once built.
 */
final class ClientHelloTemplate
{
    static final int MAX_RECORD_PAYLOAD = 16_384;
    static final int MAX_SIZE = 60_000;
    private static final int X25519_MLKEM768_SHARE_BYTES = 1_216;
    private static final int PADDING_EXTENSION = 21;

    private ClientHelloTemplate()
    {
    }

    /**
     * @param serverName the SNI host name, or {@code null} for none.
     * @param sizeBytes  the total size wanted on the wire including record headers; 0 or anything
     *                   below the natural size gives the natural size; at most {@link #MAX_SIZE}. The
     *                   size is exact except within 3 bytes above the natural size (the padding
     *                   extension's own header is 4) and the 5 sizes after each 16 KiB record boundary
     *                   (a new record header is 5): those round up.
     * @param seed       seeds the random and key share bytes (reproducible runs).
     * @return the record(s), ready to write.
     */
    static byte[] build(final String serverName, final int sizeBytes, final long seed)
    {
        if (sizeBytes > MAX_SIZE)
        {
            throw new IllegalArgumentException("hello size above " + MAX_SIZE + ": " + sizeBytes);
        }
        final boolean postQuantum = wireSize(handshakeBody(serverName, true, -1, new Random(seed)).length) <= sizeBytes;
        final byte[] natural = handshakeBody(serverName, postQuantum, -1, new Random(seed));
        if (sizeBytes <= wireSize(natural.length))
        {
            return records(natural);
        }
        int handshakeLength = sizeBytes - 5 * ((sizeBytes + MAX_RECORD_PAYLOAD + 4) / (MAX_RECORD_PAYLOAD + 5));
        while (wireSize(handshakeLength - 4) < sizeBytes)
        {
            handshakeLength++;
        }
        final int padding = Math.max(0, handshakeLength - 4 - natural.length - 4);
        final byte[] body = handshakeBody(serverName, postQuantum, padding, new Random(seed));
        return records(body);
    }

    /** The size on the wire of a handshake body: 4-byte handshake header plus 5 per record. */
    private static int wireSize(final int bodyLength)
    {
        final int handshake = 4 + bodyLength;
        final int records = (handshake + MAX_RECORD_PAYLOAD - 1) / MAX_RECORD_PAYLOAD;
        return handshake + 5 * records;
    }

    private static byte[] records(final byte[] body)
    {
        final ByteArrayOutputStream handshake = new ByteArrayOutputStream(body.length + 4);
        handshake.write(1);                          // msg_type client_hello
        u24(handshake, body.length);
        handshake.writeBytes(body);
        final byte[] message = handshake.toByteArray();
        final ByteArrayOutputStream wire = new ByteArrayOutputStream(message.length + 64);
        for (int offset = 0; offset < message.length; offset += MAX_RECORD_PAYLOAD)
        {
            final int length = Math.min(MAX_RECORD_PAYLOAD, message.length - offset);
            wire.write(22);                          // ContentType handshake
            u16(wire, 0x0301);                       // legacy_record_version
            u16(wire, length);
            wire.write(message, offset, length);
        }
        return wire.toByteArray();
    }

    private static byte[] handshakeBody(final String serverName, final boolean postQuantum, final int paddingBytes, final Random random)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(512 + paddingBytes);
        u16(out, 0x0303);                            // legacy_version
        out.writeBytes(bytes(random, 32));           // random
        out.write(32);                               // legacy_session_id
        out.writeBytes(bytes(random, 32));
        final int[] suites = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030};
        u16(out, suites.length * 2);
        for (final int suite : suites)
        {
            u16(out, suite);
        }
        out.write(1);                                // legacy_compression_methods: null
        out.write(0);

        final ByteArrayOutputStream ext = new ByteArrayOutputStream(400 + paddingBytes);
        if (serverName != null)
        {
            final byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
            u16(ext, 0);                             // server_name
            u16(ext, name.length + 5);
            u16(ext, name.length + 3);               // ServerNameList
            ext.write(0);                            // host_name
            u16(ext, name.length);
            ext.writeBytes(name);
        }
        u16(ext, 10);                                // supported_groups
        u16(ext, 8);
        u16(ext, 6);
        u16(ext, 0x11ec);                            // X25519MLKEM768
        u16(ext, 0x001d);                            // x25519
        u16(ext, 0x0017);                            // secp256r1
        u16(ext, 13);                                // signature_algorithms
        u16(ext, 8);
        u16(ext, 6);
        u16(ext, 0x0403);
        u16(ext, 0x0804);
        u16(ext, 0x0401);
        u16(ext, 16);                                // application_layer_protocol_negotiation
        u16(ext, 14);
        u16(ext, 12);
        ext.write(2);
        ext.writeBytes("h2".getBytes(StandardCharsets.US_ASCII));
        ext.write(8);
        ext.writeBytes("http/1.1".getBytes(StandardCharsets.US_ASCII));
        u16(ext, 43);                                // supported_versions
        u16(ext, 5);
        ext.write(4);
        u16(ext, 0x0304);
        u16(ext, 0x0303);
        u16(ext, 45);                                // psk_key_exchange_modes
        u16(ext, 2);
        ext.write(1);
        ext.write(1);                                // psk_dhe_ke
        final int sharesLength = (postQuantum ? 4 + X25519_MLKEM768_SHARE_BYTES : 0) + 4 + 32;
        u16(ext, 51);                                // key_share
        u16(ext, sharesLength + 2);
        u16(ext, sharesLength);
        if (postQuantum)
        {
            u16(ext, 0x11ec);
            u16(ext, X25519_MLKEM768_SHARE_BYTES);
            ext.writeBytes(bytes(random, X25519_MLKEM768_SHARE_BYTES));
        }
        u16(ext, 0x001d);
        u16(ext, 32);
        ext.writeBytes(bytes(random, 32));
        if (paddingBytes >= 0)
        {
            u16(ext, PADDING_EXTENSION);
            u16(ext, paddingBytes);
            ext.writeBytes(new byte[paddingBytes]);
        }
        u16(out, ext.size());
        out.writeBytes(ext.toByteArray());
        return out.toByteArray();
    }

    private static byte[] bytes(final Random random, final int count)
    {
        final byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static void u16(final ByteArrayOutputStream out, final int value)
    {
        out.write(value >>> 8);
        out.write(value);
    }

    private static void u24(final ByteArrayOutputStream out, final int value)
    {
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
