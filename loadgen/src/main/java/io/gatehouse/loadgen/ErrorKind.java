package io.gatehouse.loadgen;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;

/** Why a transaction failed. Every failure is one of these and is counted; none is dropped. */
public enum ErrorKind
{
    /** The connection was refused (RST to SYN, nothing listening). */
    REFUSED,
    /** The peer reset an established connection. */
    RESET,
    /** No answer before the transaction's deadline (connect, handshake or response). */
    TIMEOUT,
    /** The answer came from a backend other than the one expected ({@code --expect-id}). */
    WRONG_BACKEND,
    /** The peer closed cleanly before the transaction finished. */
    CLOSED,
    /** The TLS handshake failed (alert, bad record, unrecognized_name). */
    TLS,
    /** Any other I/O error; its message is kept in the first-error sample. */
    OTHER;

    /** The JSON key: lower case. */
    public String key()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Classifies an exception from a connect, read or write. */
    public static ErrorKind of(final Throwable cause)
    {
        Throwable t = cause;
        if (t instanceof DecoderException && t.getCause() != null)
        {
            t = t.getCause();
        }
        if (t instanceof ConnectTimeoutException)
        {
            return TIMEOUT;
        }
        if (t instanceof SSLException)
        {
            return TLS;
        }
        final String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (t instanceof ConnectException || message.contains("connection refused"))
        {
            return REFUSED;
        }
        if (message.contains("reset") || message.contains("broken pipe"))
        {
            return RESET;
        }
        if (t instanceof ClosedChannelException)
        {
            return CLOSED;
        }
        if (t instanceof IOException)
        {
            return OTHER;
        }
        return OTHER;
    }
}
