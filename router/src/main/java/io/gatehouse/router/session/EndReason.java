package io.gatehouse.router.session;

import io.gatehouse.router.policy.RejectReason;

/**
 * Why one client connection ended: the access log's {@code end} field and the counters read at the end.
 *
 * <p>The rule: a session's reason names the FIRST end event seen, whatever closes the sockets later. The
 * first FIN from either side is {@code client_closed} / {@code backend_closed}; the first reset (or error
 * that makes a socket unusable) is {@code client_reset} / {@code backend_reset}; a timer or a policy that
 * ends it first gives its own reason. A backend that closes after its answer and a client that then
 * resets is therefore {@code backend_closed}. One exception: a FIN ends one direction only, so the
 * half-closed timeout that later ends the connection replaces that FIN's word ({@code half_closed_timeout}).
 */
public enum EndReason
{
    CLIENT_CLOSED("client_closed"),
    BACKEND_CLOSED("backend_closed"),
    CLIENT_RESET("client_reset"),
    BACKEND_RESET("backend_reset"),
    PEEK_TIMEOUT("peek_timeout"),
    /** The client sent a FIN or closed before the peek decided. */
    PEEK_EOF("peek_eof"),
    PEEK_MALFORMED("peek_malformed"),
    PEEK_TOO_LARGE("peek_too_large"),
    /** No route and no default: rejected with a TLS alert, an HTTP 421 or an h2c GOAWAY, or closed. */
    NO_ROUTE("no_route"),
    /** The listener's deny list. */
    REJECTED_DENY("rejected_deny"),
    /** Not in the listener's allow list. */
    REJECTED_NOT_ALLOWED("rejected_not_allowed"),
    REJECTED_ROUTE_DENIED("rejected_route_denied"),
    REJECTED_SOURCE_LIMIT("rejected_source_limit"),
    REJECTED_RATE_LIMIT("rejected_rate_limit"),
    REJECTED_SOURCE_TABLE_FULL("rejected_source_table_full"),
    REJECTED_GLOBAL_LIMIT("rejected_global_limit"),
    REJECTED_NO_HEALTHY_BACKEND("rejected_no_healthy_backend"),
    /** A PROXY header missing or malformed from a trusted source, or any PROXY signature from another. */
    REJECTED_PROXY_HEADER("rejected_proxy_header"),
    REJECTED_DRAINING("rejected_draining"),
    CONNECT_FAILED("connect_failed"),
    IDLE_TIMEOUT("idle_timeout"),
    /** One direction ended and the other moved no byte for the half-closed timeout. */
    HALF_CLOSED_TIMEOUT("half_closed_timeout"),
    /** Closed by the drain deadline, or by an operator (a backend disabled, a route removed). */
    DRAIN("drain"),
    /** A failure that is neither side's reset (a bug, or the transport misbehaving). */
    ERROR("error"),
    /** This host ran out of something (EMFILE, ENFILE, EADDRNOTAVAIL for the local end): never the backend's fault. */
    LOCAL_RESOURCE("local_resource");

    private final String word;

    EndReason(final String word)
    {
        this.word = word;
    }

    /** The access log's word. */
    public String word()
    {
        return word;
    }

    /** True for a reason that a reset or error of a relayed connection gives (counted in relay_resets). */
    public boolean isReset()
    {
        return this == CLIENT_RESET || this == BACKEND_RESET || this == ERROR;
    }

    /** The end of an admission or policy refusal. */
    public static EndReason rejected(final RejectReason reason)
    {
        switch (reason)
        {
            case SOURCE_DENIED:
                return REJECTED_DENY;
            case SOURCE_NOT_ALLOWED:
                return REJECTED_NOT_ALLOWED;
            case ROUTE_DENIED:
                return REJECTED_ROUTE_DENIED;
            case SOURCE_CONNECTION_LIMIT:
                return REJECTED_SOURCE_LIMIT;
            case SOURCE_RATE_LIMIT:
                return REJECTED_RATE_LIMIT;
            case SOURCE_TABLE_FULL:
                return REJECTED_SOURCE_TABLE_FULL;
            case CONNECTION_LIMIT:
                return REJECTED_GLOBAL_LIMIT;
            case NO_HEALTHY_BACKEND:
                return REJECTED_NO_HEALTHY_BACKEND;
            default:
                throw new IllegalArgumentException("not a refusal: " + reason);
        }
    }
}
