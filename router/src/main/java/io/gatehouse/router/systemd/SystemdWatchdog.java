package io.gatehouse.router.systemd;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code WATCHDOG=1} only while every event loop still runs tasks: each tick puts a no-op on every
 * loop's task queue and pings once all of them ran, so a wedged loop (a busy spin, a blocking call)
 * stops the pings and systemd restarts the service after {@code WatchdogSec=}. A bare timer would keep
 * pinging through that.
 *
 * <p>One daemon thread of its own (control path; allocates a latch per tick). Started only when
 * {@link SystemdNotifier#watchdogPingIntervalNs()} is not 0.
 */
public final class SystemdWatchdog implements AutoCloseable
{
    private final SystemdNotifier notifier;
    private final List<? extends Executor> loops;
    private final long intervalNs;
    private final Thread thread;
    private volatile boolean running = true;

    private SystemdWatchdog(final SystemdNotifier notifier, final List<? extends Executor> loops, final long intervalNs)
    {
        this.notifier = notifier;
        this.loops = List.copyOf(loops);
        this.intervalNs = intervalNs;
        this.thread = new Thread(this::run, "gatehouse-watchdog");
        this.thread.setDaemon(true);
    }

    /**
     * Starts pinging when the service manager asked for a watchdog ({@code WATCHDOG_USEC}).
     *
     * @param loops the event loops whose progress the pings vouch for.
     * @return the running watchdog, or {@code null} when none was asked for.
     */
    public static SystemdWatchdog startIfEnabled(final SystemdNotifier notifier, final List<? extends Executor> loops)
    {
        final long intervalNs = notifier.watchdogPingIntervalNs();
        if (intervalNs <= 0)
        {
            return null;
        }
        final SystemdWatchdog watchdog = new SystemdWatchdog(notifier, loops, intervalNs);
        watchdog.thread.start();
        return watchdog;
    }

    private void run()
    {
        while (running)
        {
            final long tickStartNs = System.nanoTime();
            final CountDownLatch ran = new CountDownLatch(loops.size());
            try
            {
                for (final Executor loop : loops)
                {
                    loop.execute(ran::countDown);
                }
                if (ran.await(intervalNs, TimeUnit.NANOSECONDS))
                {
                    notifier.watchdog();
                }
                final long leftNs = intervalNs - (System.nanoTime() - tickStartNs);
                if (leftNs > 0)
                {
                    TimeUnit.NANOSECONDS.sleep(leftNs);
                }
            }
            catch (final InterruptedException | RejectedExecutionException ex)
            {
                return;
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
    }
}
