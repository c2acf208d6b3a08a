package io.gatehouse.router.admin;

/**
 * What the admin endpoint itself did: connections, refusals by cause, timeouts. Written by the admin event loop
 * only (single writer; volatile so the scrape sees recent values), read at scrape time.
 */
final class AdminStats
{
    private volatile long connections;
    private volatile long overCap;
    private volatile long requests;
    private volatile long timeouts;
    private volatile long tooLarge;
    private volatile long malformed;
    private volatile long badHost;
    private volatile long origin;
    private volatile long unauthenticated;
    private volatile int open;

    void onOpened()
    {
        connections++;
        open++;
    }

    void onClosed()
    {
        open--;
    }

    void onOverCap()
    {
        overCap++;
    }

    void onRequest()
    {
        requests++;
    }

    void onTimeout()
    {
        timeouts++;
    }

    void onTooLarge()
    {
        tooLarge++;
    }

    void onMalformed()
    {
        malformed++;
    }

    void onRefused(final AdminAccess.Verdict verdict)
    {
        switch (verdict)
        {
            case BAD_HOST -> badHost++;
            case ORIGIN -> origin++;
            case UNAUTHENTICATED -> unauthenticated++;
            default ->
            {
            }
        }
    }

    int open()
    {
        return open;
    }

    long connections()
    {
        return connections;
    }

    long overCap()
    {
        return overCap;
    }

    long requests()
    {
        return requests;
    }

    long timeouts()
    {
        return timeouts;
    }

    long tooLarge()
    {
        return tooLarge;
    }

    long malformed()
    {
        return malformed;
    }

    long badHost()
    {
        return badHost;
    }

    long origin()
    {
        return origin;
    }

    long unauthenticated()
    {
        return unauthenticated;
    }
}
