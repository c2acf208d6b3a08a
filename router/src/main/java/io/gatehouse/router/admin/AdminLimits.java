package io.gatehouse.router.admin;

/**
 * The bounds that keep one admin client from holding the admin endpoint for others.
 *
 * @param requestTimeoutMs  a connection must deliver a whole request (line, headers, body) this long after it
 *                          opened or after its previous answer; a partial request then gets 408, an idle one is
 *                          closed. Bounds slow-loris clients and idle keep-alive connections alike.
 * @param maxConnections    admin connections open at once; the next one is answered 503 and closed (counted).
 * @param maxRequestLineBytes longest request line; longer: 414.
 * @param maxHeaderBytes    all header lines together; more: 431.
 * @param maxBodyBytes      longest request body; longer: 413.
 */
public record AdminLimits(
    long requestTimeoutMs, int maxConnections, int maxRequestLineBytes, int maxHeaderBytes, int maxBodyBytes)
{
    /** 10 s per request, 64 connections, 4 KiB request line, 8 KiB of headers, 64 KiB of body. */
    public static final AdminLimits DEFAULT = new AdminLimits(10_000, 64, 4096, 8192, 64 * 1024);

    public AdminLimits
    {
        if (requestTimeoutMs <= 0 || maxConnections <= 0 || maxRequestLineBytes < 64 || maxHeaderBytes < 256 || maxBodyBytes < 0)
        {
            throw new IllegalArgumentException("admin limits out of range: " + requestTimeoutMs + " ms, " + maxConnections
                + " connections, " + maxRequestLineBytes + "/" + maxHeaderBytes + "/" + maxBodyBytes + " bytes");
        }
    }
}
