package io.gatehouse.sni;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds valid TLS 1.2/1.3-style ClientHellos, shaped like a current browser's, for load generation,
 * the health checker's TLS probe, benchmarks and tests: an optional SNI, an ALPN list, an optional
 * X25519MLKEM768-sized key share (group 0x11EC, a 1216-byte share, so a hello of about 1.8 KB), an
 * optional encrypted_client_hello extension, padding (RFC 7685) to a target size, and splitting into
 * several TLS records.
 *
 * <p>Control path: allocates freely; not thread-safe (a builder per thread). Output is deterministic
 * for a given {@link #seed(long)}. The key shares are random bytes of the right size, not real keys:
 * a server will parse the hello and then fail the handshake.
 */
public final class ClientHelloBuilder
{
    public static final int GROUP_X25519 = 0x001d;
    public static final int GROUP_X25519_MLKEM768 = 0x11ec;
    public static final int X25519_MLKEM768_SHARE_BYTES = 1216;
    private static final int X25519_SHARE_BYTES = 32;
    private static final int MAX_RECORD_PAYLOAD = 1 << 14;

    private String serverName;
    private final List<String> alpn = new ArrayList<>();
    private boolean postQuantum;
    private boolean tls13 = true;
    private boolean ech;
    private int padToBytes;
    private int maxRecordBytes = MAX_RECORD_PAYLOAD;
    private int records = 1;
    private long seed = 1;

    /** The host_name to send; null (the default) sends no server_name extension. Sent as given. */
    public ClientHelloBuilder serverName(final String serverName)
    {
        this.serverName = serverName;
        return this;
    }

    public ClientHelloBuilder alpn(final String... protocols)
    {
        alpn.clear();
        alpn.addAll(List.of(protocols));
        return this;
    }

    /** Offer X25519MLKEM768 (0x11EC) first, with a 1216-byte share beside the X25519 one. */
    public ClientHelloBuilder postQuantumKeyShare(final boolean postQuantum)
    {
        this.postQuantum = postQuantum;
        return this;
    }

    /** True (default): supported_versions [1.3, 1.2] and key_share. False: a TLS 1.2-only hello. */
    public ClientHelloBuilder tls13(final boolean tls13)
    {
        this.tls13 = tls13;
        return this;
    }

    /** Adds an encrypted_client_hello (0xFE0D) outer extension with a random 144-byte payload. */
    public ClientHelloBuilder encryptedClientHello(final boolean ech)
    {
        this.ech = ech;
        return this;
    }

    /**
     * Pads with the padding extension so that the hello in ONE record is this many bytes (record
     * header included); exactly so when the target is at least 4 bytes over the unpadded size, else
     * 4 bytes over the unpadded size. 0 (default): no padding.
     */
    public ClientHelloBuilder padToBytes(final int padToBytes)
    {
        this.padToBytes = padToBytes;
        return this;
    }

    /** Splits the handshake message into records of at most this many bytes (1..16384). */
    public ClientHelloBuilder maxRecordBytes(final int maxRecordBytes)
    {
        if (maxRecordBytes < 1 || maxRecordBytes > MAX_RECORD_PAYLOAD)
        {
            throw new IllegalArgumentException("maxRecordBytes must be 1.." + MAX_RECORD_PAYLOAD);
        }
        this.maxRecordBytes = maxRecordBytes;
        return this;
    }

    /** Splits the handshake message into this many records of near-equal size (combined with {@link #maxRecordBytes}). */
    public ClientHelloBuilder records(final int records)
    {
        if (records < 1)
        {
            throw new IllegalArgumentException("records must be >= 1");
        }
        this.records = records;
        return this;
    }

    public ClientHelloBuilder seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /** The whole flight: the handshake message in TLS records. */
    public byte[] build()
    {
        final byte[] handshake = buildHandshake();
        final int perRecord = Math.min(maxRecordBytes, (handshake.length + records - 1) / records);
        return fragment(handshake, Math.max(1, perRecord));
    }

    /** The ClientHello handshake message alone (msg_type, uint24 length, body). */
    public byte[] buildHandshake()
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final Writer body = new Writer();
        body.u16(0x0303);
        body.bytes(randomBytes(random, 32));
        body.u8(32);
        body.bytes(randomBytes(random, 32));
        final int[] suites = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
            0x009c, 0x009d, 0x002f, 0x0035};
        body.u16(suites.length * 2);
        for (final int suite : suites)
        {
            body.u16(suite);
        }
        body.u8(1);
        body.u8(0);

        final Writer extensions = new Writer();
        if (serverName != null)
        {
            final byte[] name = serverName.getBytes(StandardCharsets.ISO_8859_1);
            extension(extensions, 0x0000, new Writer().u16(name.length + 3).u8(0).u16(name.length).bytes(name));
        }
        extension(extensions, 0x0017, new Writer());
        extension(extensions, 0xff01, new Writer().u8(0));
        final Writer groups = new Writer().u16(postQuantum ? 8 : 6);
        if (postQuantum)
        {
            groups.u16(GROUP_X25519_MLKEM768);
        }
        extension(extensions, 0x000a, groups.u16(GROUP_X25519).u16(0x0017).u16(0x0018));
        extension(extensions, 0x000b, new Writer().u8(1).u8(0));
        extension(extensions, 0x0023, new Writer());
        if (!alpn.isEmpty())
        {
            final Writer list = new Writer();
            for (final String protocol : alpn)
            {
                final byte[] id = protocol.getBytes(StandardCharsets.ISO_8859_1);
                list.u8(id.length).bytes(id);
            }
            extension(extensions, 0x0010, new Writer().u16(list.size()).bytes(list.toByteArray()));
        }
        extension(extensions, 0x0005, new Writer().u8(1).u16(0).u16(0));
        final int[] signatures = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
        final Writer signatureList = new Writer().u16(signatures.length * 2);
        for (final int signature : signatures)
        {
            signatureList.u16(signature);
        }
        extension(extensions, 0x000d, signatureList);
        extension(extensions, 0x0012, new Writer());
        if (tls13)
        {
            final Writer shares = new Writer();
            if (postQuantum)
            {
                shares.u16(GROUP_X25519_MLKEM768).u16(X25519_MLKEM768_SHARE_BYTES)
                    .bytes(randomBytes(random, X25519_MLKEM768_SHARE_BYTES));
            }
            shares.u16(GROUP_X25519).u16(X25519_SHARE_BYTES).bytes(randomBytes(random, X25519_SHARE_BYTES));
            extension(extensions, 0x0033, new Writer().u16(shares.size()).bytes(shares.toByteArray()));
            extension(extensions, 0x002d, new Writer().u8(1).u8(1));
            extension(extensions, 0x002b, new Writer().u8(4).u16(0x0304).u16(0x0303));
        }
        extension(extensions, 0x001b, new Writer().u8(2).u16(0x0002));
        if (ech)
        {
            final Writer outer = new Writer().u8(0).u16(0x0001).u16(0x0001).u8(random.nextInt(256));
            outer.u16(32).bytes(randomBytes(random, 32)).u16(144).bytes(randomBytes(random, 144));
            extension(extensions, 0xfe0d, outer);
        }
        if (padToBytes > 0)
        {
            final int unpadded = 5 + 4 + body.size() + 2 + extensions.size();
            final int padding = Math.max(0, padToBytes - unpadded - 4);
            extension(extensions, 0x0015, new Writer().bytes(new byte[padding]));
        }
        body.u16(extensions.size()).bytes(extensions.toByteArray());

        return new Writer().u8(1).u24(body.size()).bytes(body.toByteArray()).toByteArray();
    }

    /** Wraps a handshake message in handshake records of at most maxRecordBytes payload each. */
    public static byte[] fragment(final byte[] handshake, final int maxRecordBytes)
    {
        if (maxRecordBytes < 1 || maxRecordBytes > MAX_RECORD_PAYLOAD)
        {
            throw new IllegalArgumentException("maxRecordBytes must be 1.." + MAX_RECORD_PAYLOAD);
        }
        final Writer out = new Writer();
        for (int offset = 0; offset < handshake.length; offset += maxRecordBytes)
        {
            final int length = Math.min(maxRecordBytes, handshake.length - offset);
            out.u8(22).u16(0x0301).u16(length);
            out.out.write(handshake, offset, length);
        }
        return out.toByteArray();
    }

    /** Re-splits a TLS flight made of handshake records into records of at most maxRecordBytes. */
    public static byte[] refragment(final byte[] flight, final int maxRecordBytes)
    {
        final ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        int offset = 0;
        while (flight.length - offset >= 5)
        {
            final int length = ((flight[offset + 3] & 0xff) << 8) | (flight[offset + 4] & 0xff);
            if (flight[offset] != 22 || flight.length - offset - 5 < length)
            {
                throw new IllegalArgumentException("not a complete flight of handshake records");
            }
            handshake.write(flight, offset + 5, length);
            offset += 5 + length;
        }
        if (offset != flight.length)
        {
            throw new IllegalArgumentException("trailing bytes after the last record");
        }
        return fragment(handshake.toByteArray(), maxRecordBytes);
    }

    private static void extension(final Writer extensions, final int type, final Writer data)
    {
        extensions.u16(type).u16(data.size()).bytes(data.toByteArray());
    }

    private static byte[] randomBytes(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }

    private static final class Writer
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u8(final int value)
        {
            out.write(value);
            return this;
        }

        Writer u16(final int value)
        {
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Writer u24(final int value)
        {
            out.write(value >>> 16);
            return u16(value & 0xffff);
        }

        Writer bytes(final byte[] bytes)
        {
            out.write(bytes, 0, bytes.length);
            return this;
        }

        int size()
        {
            return out.size();
        }

        byte[] toByteArray()
        {
            return out.toByteArray();
        }
    }
}
