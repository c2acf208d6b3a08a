package io.gatehouse.loadgen;

import io.gatehouse.sni.ClientHelloBuilder;

/**
 * The bytes of the ClientHello the {@code connect}, {@code rr} and {@code stream} modes send first,
 * built once per run with sni-parser's {@link ClientHelloBuilder}: SNI when a name is given, ALPN
 * {@code h2, http/1.1}, an X25519MLKEM768 key share (1,216 bytes, as browsers send since 2024) when
 * the size has room for it, and padding (RFC 7685) up to the requested size. Above one record
 * (16,389 bytes on the wire) the handshake is split over several records, as a real stack does.
 *
 * <p>Control path only (built once); thread-safe (stateless).
 */
final class ClientHelloTemplate
{
    static final int MAX_RECORD_PAYLOAD = 16_384;
    static final int MAX_SIZE = 60_000;
    private static final int ONE_RECORD_MAX = MAX_RECORD_PAYLOAD + 5;

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
        final boolean postQuantum = builder(serverName, true, seed).build().length <= sizeBytes;
        final byte[] natural = builder(serverName, postQuantum, seed).build();
        if (sizeBytes <= natural.length)
        {
            return natural;
        }
        if (sizeBytes <= ONE_RECORD_MAX)
        {
            return builder(serverName, postQuantum, seed).padToBytes(sizeBytes).build();
        }
        // n records carry 5 * n header bytes: pad the handshake as if it were one (oversized) record.
        int records = 2;
        while (sizeBytes - 5 * records > MAX_RECORD_PAYLOAD * records)
        {
            records++;
        }
        final int handshakeBytes = Math.max(sizeBytes - 5 * records, MAX_RECORD_PAYLOAD + 1);
        final byte[] handshake = builder(serverName, postQuantum, seed).padToBytes(handshakeBytes + 5).buildHandshake();
        return ClientHelloBuilder.fragment(handshake, MAX_RECORD_PAYLOAD);
    }

    private static ClientHelloBuilder builder(final String serverName, final boolean postQuantum, final long seed)
    {
        return new ClientHelloBuilder()
            .serverName(serverName)
            .alpn("h2", "http/1.1")
            .postQuantumKeyShare(postQuantum)
            .seed(seed);
    }
}
