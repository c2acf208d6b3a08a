package io.gatehouse.router.policy;

/**
 * Why a connection was refused before a backend was dialed; each has a counter
 * ({@code gatehouse_connections_rejected_total{reason=...}}). {@link #NONE} means admitted.
 */
public enum RejectReason
{
    NONE("none"),
    /** The source is in the listener's {@code deny} list. */
    SOURCE_DENIED("source_denied"),
    /** The listener has an {@code allow} list and the source is not in it. */
    SOURCE_NOT_ALLOWED("source_not_allowed"),
    /** The routed route's {@code allow}/{@code deny} refuses the source. */
    ROUTE_DENIED("route_denied"),
    /** The source already holds {@code max_connections_per_source}. */
    SOURCE_CONNECTION_LIMIT("source_connection_limit"),
    /** The source's token bucket ({@code new_connections_per_second_per_source}) is empty. */
    SOURCE_RATE_LIMIT("source_rate_limit"),
    /** The limiter already tracks its maximum number of sources and none is idle. */
    SOURCE_TABLE_FULL("source_table_full"),
    /** The process holds {@code runtime.max_connections}. */
    CONNECTION_LIMIT("connection_limit"),
    /** The route has no backend up and fails closed. */
    NO_HEALTHY_BACKEND("no_healthy_backend");

    private final String label;

    RejectReason(final String label)
    {
        this.label = label;
    }

    /** The metric label value. */
    public String label()
    {
        return label;
    }
}
