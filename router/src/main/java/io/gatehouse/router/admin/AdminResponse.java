package io.gatehouse.router.admin;

/**
 * One answer of the admin API, before it is written.
 *
 * @param status      HTTP status.
 * @param contentType the body's media type.
 * @param body        the body (written as UTF-8; HEAD gets its length only).
 * @param allow       the {@code Allow} header for a 405, else {@code null}.
 */
public record AdminResponse(int status, String contentType, String body, String allow)
{
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    public static AdminResponse text(final int status, final String body)
    {
        return new AdminResponse(status, TEXT, body, null);
    }

    public static AdminResponse json(final int status, final String body)
    {
        return new AdminResponse(status, JSON, body, null);
    }

    public static AdminResponse methodNotAllowed(final String allow)
    {
        return new AdminResponse(405, TEXT, "use " + allow.replace(", ", " or ") + "\n", allow);
    }
}
