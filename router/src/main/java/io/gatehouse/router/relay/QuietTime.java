package io.gatehouse.router.relay;

/**
 * The idle and half-closed timeout rule every relay applies on the worker's relay tick: bytes moved
 * since the last check restart the quiet time; quiet for the bound closes the connection. One rule, so
 * that the copy relay ({@link CopyRelay}) and the raw-socket relay ({@link SpliceStage}) cannot drift
 * apart. No clock read per read or write: the tick passes the time.
 *
 * <p>Event loop thread only; not thread-safe; allocates nothing.
 */
final class QuietTime
{
    private long bytesAtLastCheck;
    private long quietSinceNs;

    QuietTime(final long nowNs, final long bytesNow)
    {
        quietSinceNs = nowNs;
        bytesAtLastCheck = bytesNow;
    }

    /**
     * @param bytes   bytes moved both ways so far.
     * @param boundNs the quiet time allowed ({@code Long.MAX_VALUE}: no bound).
     * @return true when nothing moved since the last check and the connection has been quiet for {@code boundNs}.
     */
    boolean isOver(final long nowNs, final long bytes, final long boundNs)
    {
        if (bytes != bytesAtLastCheck)
        {
            bytesAtLastCheck = bytes;
            quietSinceNs = nowNs;
            return false;
        }
        return nowNs - quietSinceNs - boundNs >= 0;
    }
}
