package io.gatehouse.loadgen;

/**
 * What a backend does after its first answer ({@code serve --close}): the greeting line of {@code echo},
 * {@code sink} and {@code source}, the first response of {@code respond}.
 */
public enum BackendClose
{
    /** Keep the connection until the client ends it. */
    NONE,
    /** Close first (FIN) once the answer is written, while the client's socket is still open. */
    FIRST,
    /** Reset (SO_LINGER 0) once the answer is written. */
    RESET;

    /** {@code none}, {@code first} or {@code reset}. */
    public String key()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static BackendClose parse(final String text)
    {
        for (final BackendClose close : values())
        {
            if (close.key().equals(text))
            {
                return close;
            }
        }
        throw new IllegalArgumentException("unknown --close '" + text + "' (none, first, reset)");
    }
}
