package io.gatehouse.router.log;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One finished connection, as the access log writes it. Built by the event loop at close (one allocation);
 * immutable; read by the log thread. Times that did not happen (no peek, no connect) are {@code -1};
 * names that are not known are {@code null}; both come out as JSON {@code null}. The backends tried stay
 * indexes into the route's shared list of ids until the log thread renders them (no string is built on the
 * event loop).
 *
 * @param id              the connection's id, unique within the process (one line per id).
 * @param endEpochMs      wall-clock time of the close, milliseconds since the epoch.
 * @param acceptEpochMs   the accept time: {@code endEpochMs} less the duration (measured on the monotonic clock).
 * @param client          the client's address (the PROXY protocol's source when one was trusted).
 * @param listener        the listener's name.
 * @param listenerAddress the local address the client connected to (the accepted socket's).
 * @param protocol    what the peek recognised: {@code tls}, {@code http1}, {@code h2c}, or {@code null}.
 * @param name        the routed name (SNI, Host, :authority), normalised, or {@code null}.
 * @param alpn        the ALPN protocols the client offered, comma-separated, or {@code null}.
 * @param route       the route's id (its first hostname), or {@code null} when none was chosen.
 * @param backend     the backend connected to, or {@code null}.
 * @param upstreamLocal   the local address of the backend connection, or {@code null} when none connected.
 * @param connectAttempts backend connects started (0 when none).
 * @param triedIndexes    the first {@code connectAttempts} entries are the backends tried, in order, as indexes
 *                        into {@code backendIds} ({@code null} when none was tried).
 * @param backendIds      the route's backends as {@code host:port} ({@code null} without a route).
 * @param bytesIn     bytes from the client relayed to the backend (peeked bytes included).
 * @param bytesOut    bytes from the backend relayed to the client.
 * @param durationUs  accept to close.
 * @param peekUs      accept to a routing decision, or -1.
 * @param connectUs   connect start to connected (all attempts), or -1.
 * @param end         why it ended, a short snake_case word: {@code client_closed}, {@code backend_closed},
 *                    {@code peek_timeout}, {@code no_route}, {@code connect_failed}, {@code idle_timeout},
 *                    {@code rejected_source_denied}, {@code drain}, ... (the router's list).
 */
public record AccessLogEntry(
    long id,
    long endEpochMs,
    long acceptEpochMs,
    InetSocketAddress client,
    String listener,
    InetSocketAddress listenerAddress,
    String protocol,
    String name,
    String alpn,
    String route,
    InetSocketAddress backend,
    InetSocketAddress upstreamLocal,
    int connectAttempts,
    int[] triedIndexes,
    List<String> backendIds,
    long bytesIn,
    long bytesOut,
    long durationUs,
    long peekUs,
    long connectUs,
    String end)
{
    /** The {@code i}-th backend tried ({@code i < connectAttempts}), as {@code host:port}. Log thread. */
    public String backendTried(final int i)
    {
        return backendIds.get(triedIndexes[i]);
    }

    /** How many backends {@link #backendTried} can name (at most {@code connectAttempts}). */
    public int backendsTriedCount()
    {
        return triedIndexes == null || backendIds == null ? 0 : Math.min(connectAttempts, triedIndexes.length);
    }
}
