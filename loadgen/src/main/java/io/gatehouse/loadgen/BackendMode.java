package io.gatehouse.loadgen;

/**
 * What a {@link Backend} does with a connection. Every mode makes its identity visible so that a
 * misrouted connection is seen by the client (see the README, "Backends").
 */
public enum BackendMode
{
    /** Sends the greeting line {@code <id>\n} at once, then echoes every byte back. */
    ECHO,
    /** Sends the greeting line {@code <id>\n} at once, then reads and drops every byte. */
    SINK,
    /**
     * Sends nothing first; after each read answers with one fixed response of {@code responseBytes}
     * beginning {@code <id>\n} (padded with {@code '.'}).
     */
    RESPOND,
    /** Sends the greeting line {@code <id>\n}, then bulk bytes as fast as the peer reads them; drops what it reads. */
    SOURCE
}
