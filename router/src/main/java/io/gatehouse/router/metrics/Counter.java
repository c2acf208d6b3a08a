package io.gatehouse.router.metrics;

/**
 * Every per-event-loop counter of the data path, with its Prometheus name and help text; the peek's outcomes
 * share one family, {@code gatehouse_peek_outcomes_total}, told apart by an {@code outcome} label (the help
 * text of the family is {@link #PEEK_OUTCOMES_HELP}). The ordinal is the slot in {@link WorkerCounters}.
 * What is counted per listener (accepted, closed, open, bytes) lives in {@link ListenerCounters} instead, and is
 * exported with a {@code listener} label.
 */
public enum Counter
{
    ACCEPT_FAILED("gatehouse_accept_errors_total", "accept(2) failures (EMFILE, ENFILE, ENOBUFS); the listening socket pauses accepts with a back-off of 50 ms doubling to 1 s."),
    REJECTED_ACL("gatehouse_rejected_acl_total", "Connections refused by the listener's admission policy (allow/deny, route allow/deny, per-source and global limits; gatehouse_connections_rejected_total{reason} has the reason)."),
    REJECTED_NO_ROUTE("gatehouse_rejected_no_route_total", "Connections answered with a TLS alert, an HTTP 421 or an h2c GOAWAY because no route matched."),
    REJECTED_DRAINING("gatehouse_rejected_draining_total", "Connections closed because the router is draining."),
    REJECTED_PROXY_HEADER("gatehouse_rejected_proxy_header_total", "Connections refused for their PROXY header: missing or malformed from a trusted source, or a PROXY signature from any other source."),
    PEEK_OK("gatehouse_peek_outcomes_total", "ok", "Peeks that found a protocol and a name."),
    PEEK_NO_NAME("gatehouse_peek_outcomes_total", "no_name", "Peeks of a recognised protocol without a name (no SNI, no Host)."),
    PEEK_NOT_RECOGNISED("gatehouse_peek_outcomes_total", "not_recognised", "Peeks of bytes that are neither TLS, HTTP/1.x nor h2c."),
    PEEK_MALFORMED("gatehouse_peek_outcomes_total", "malformed", "Peeks of a recognised protocol with broken framing."),
    PEEK_TOO_LARGE("gatehouse_peek_outcomes_total", "too_large", "Peeks that reached the listener's byte bound without a decision."),
    PEEK_TIMEOUT("gatehouse_peek_outcomes_total", "timeout", "Peeks that did not decide before the peek timeout."),
    PEEK_EOF("gatehouse_peek_outcomes_total", "eof", "Clients that closed or half-closed before the peek decided."),
    PEEK_SERVER_FIRST("gatehouse_peek_outcomes_total", "server_first", "Clients silent for the server-first delay, sent to the server-first route."),
    CONNECT_FAILED("gatehouse_backend_connect_failures_total", "Backend connect attempts that were refused or timed out."),
    LOCAL_RESOURCE("gatehouse_local_resource_failures_total", "Connections ended because this host ran out of a resource (socket creation EMFILE/ENFILE/ENOBUFS, no local address or port for the backend connection); never counted against a backend."),
    CONNECT_EXHAUSTED("gatehouse_backend_connect_exhausted_total", "Clients closed because every connect attempt failed."),
    RELAYED("gatehouse_relays_started_total", "Connections whose relay started (backend connected, peeked bytes sent)."),
    RELAY_RESET("gatehouse_relay_resets_total", "Relays ended by an error on either side (RST, broken pipe)."),
    RELAY_IDLE_TIMEOUT("gatehouse_relay_idle_timeouts_total", "Relays closed for no bytes either way during the idle timeout.");

    /** The help text of {@code gatehouse_peek_outcomes_total}. */
    public static final String PEEK_OUTCOMES_HELP = "Peeks by outcome: ok (protocol and name found), no_name, not_recognised,"
        + " malformed, too_large (the listener's byte bound reached), timeout, eof (client closed first), server_first"
        + " (silent client sent to the server-first route).";

    /** How many counters there are: the length of one loop's slice. */
    public static final int COUNT = values().length;

    private final String metricName;
    private final String outcome;
    private final String help;

    Counter(final String metricName, final String help)
    {
        this(metricName, null, help);
    }

    /** A counter exported as one {@code outcome} of a family shared with others ({@code gatehouse_peek_outcomes_total}). */
    Counter(final String metricName, final String outcome, final String help)
    {
        this.metricName = metricName;
        this.outcome = outcome;
        this.help = help;
    }

    /** The {@code outcome} label value within a shared family, or {@code null} for a family of its own. */
    public String outcome()
    {
        return outcome;
    }

    public String metricName()
    {
        return metricName;
    }

    public String help()
    {
        return help;
    }
}
