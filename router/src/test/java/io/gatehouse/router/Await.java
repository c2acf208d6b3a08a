package io.gatehouse.router;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling for a condition (never a sleep standing in for time passing). */
public final class Await
{
    private Await()
    {
    }

    public static void until(final String what, final BooleanSupplier condition)
    {
        until(what, condition, () -> "");
    }

    public static void until(final String what, final BooleanSupplier condition, final Supplier<String> detail)
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (deadlineNs - System.nanoTime() < 0)
            {
                throw new AssertionError("timed out waiting for: " + what + " " + detail.get());
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(2);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
