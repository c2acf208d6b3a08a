package io.gatehouse.cli;

/**
 * Whether this host should announce its VIP, from the answers of {@code GET /ready} one after the
 * other: announced after {@code rise} passes in a row, withdrawn at the first of {@code fall} failures
 * in a row. Starts withdrawn, so a fresh announcer (and a restarted BIRD, whose protocol starts
 * {@code disabled}) announces only once the router has answered 200 {@code rise} times.
 *
 * <p>A plain value machine with no clock and no I/O: the announcer's one thread feeds it. Not
 * thread-safe; allocates nothing.
 */
final class Announcement
{
    private final int rise;
    private final int fall;
    private boolean announced;
    private int passes;
    private int failures;

    Announcement(final int rise, final int fall)
    {
        if (rise < 1 || fall < 1)
        {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
        this.rise = rise;
        this.fall = fall;
    }

    /** Takes one probe's result; returns whether the VIP should be announced now. */
    boolean onProbe(final boolean ready)
    {
        if (ready)
        {
            failures = 0;
            passes = Math.min(passes + 1, rise);
            if (passes >= rise)
            {
                announced = true;
            }
        }
        else
        {
            passes = 0;
            failures = Math.min(failures + 1, fall);
            if (failures >= fall)
            {
                announced = false;
            }
        }
        return announced;
    }

    boolean announced()
    {
        return announced;
    }
}
