package io.gatehouse.router.listen;

import java.io.IOException;

/** A listener's address could not be bound; nothing of that bind attempt stays open. */
public final class BindFailure extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String address;

    public BindFailure(final String address, final Throwable cause)
    {
        super("cannot bind " + address + ": " + describe(cause), cause);
        this.address = address;
    }

    /** The address as written in the config. */
    public String address()
    {
        return address;
    }

    private static String describe(final Throwable cause)
    {
        final String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
