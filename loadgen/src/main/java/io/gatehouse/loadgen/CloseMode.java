package io.gatehouse.loadgen;

/**
 * How a {@code connect} transaction ends once the backend's answer has arrived ({@code --close}); each is
 * a way real clients end connections, so that a router's close path is driven by every one of them.
 */
public enum CloseMode
{
    /** The client closes first (FIN) as soon as it has the answer. */
    CLIENT,
    /**
     * The client waits, socket open, for the backend to close first (a {@code serve --close first} or
     * {@code --close reset} backend); the transaction completes at that EOF, and a reset counts as one.
     */
    BACKEND,
    /** The client sends a few bytes and resets at once (SO_LINGER 0), as wrk does on {@code Connection: close}. */
    RST,
    /**
     * The client half-closes (shutdown of its output) right after its first flight, and completes at the
     * backend's EOF after the answer.
     */
    HALF;

    /** {@code client}, {@code backend}, {@code rst} or {@code half}. */
    public String key()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static CloseMode parse(final String text)
    {
        for (final CloseMode mode : values())
        {
            if (mode.key().equals(text))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown --close '" + text + "' (client, backend, rst, half)");
    }
}
