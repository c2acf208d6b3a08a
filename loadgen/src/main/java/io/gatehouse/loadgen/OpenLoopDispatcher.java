package io.gatehouse.loadgen;

import java.util.ArrayDeque;

/**
 * The open loop of one event loop, without Netty: hands each intended time of its
 * {@link OpenLoopSchedule} to a free {@link Slot} as soon as both exist. A transaction that found no
 * free slot keeps its intended time, so the wait counts in the corrected latency (coordinated
 * omission corrected, as wrk2 does). Nothing starts at or after the stop time, not even a backlog:
 * intended times left unstarted are counted ({@link #backlog}) and reported as {@code not_started}.
 * The caller arranges to call {@link #onTick} again at the time it returns.
 *
 * <p>Not thread-safe: one event loop owns one dispatcher (tests drive it with a hand-moved clock).
 * Allocates nothing after construction.
 */
public final class OpenLoopDispatcher
{
    /** {@link #onTick} result: nothing to wake up for until a slot frees. */
    public static final long NO_WAKEUP = Long.MIN_VALUE;

    private final OpenLoopSchedule schedule;
    private final LatencyRecorder recorder;
    private final ErrorCounts errors;
    private final ArrayDeque<Slot> freeSlots;
    private final long stopNs;
    private long inFlight;
    private long completed;
    private long failed;

    /**
     * @param schedule intended start times.
     * @param stopNs   no transaction intended at or after this time starts.
     * @param recorder where completions go.
     * @param errors   where failures go.
     * @param slotsHint expected number of slots (sizing only).
     */
    OpenLoopDispatcher(final OpenLoopSchedule schedule, final long stopNs, final LatencyRecorder recorder,
        final ErrorCounts errors, final int slotsHint)
    {
        this.schedule = schedule;
        this.stopNs = stopNs;
        this.recorder = recorder;
        this.errors = errors;
        this.freeSlots = new ArrayDeque<>(Math.max(16, slotsHint));
    }

    /**
     * Starts every due transaction that has a free slot.
     *
     * @return the time to call again ({@link #NO_WAKEUP} while no slot is free or issuing is over).
     */
    public long onTick(final long nowNs)
    {
        if (nowNs - stopNs >= 0)
        {
            return NO_WAKEUP;
        }
        while (!freeSlots.isEmpty())
        {
            final long intendedNs = schedule.nextIntendedNs();
            if (intendedNs - stopNs >= 0)
            {
                return NO_WAKEUP;
            }
            if (intendedNs - nowNs > 0)
            {
                return intendedNs;
            }
            schedule.take();
            inFlight++;
            freeSlots.poll().begin(intendedNs, nowNs);
        }
        return NO_WAKEUP;
    }

    /** A slot is ready for a (first or next) transaction. */
    public void onSlotFree(final Slot slot)
    {
        freeSlots.add(slot);
    }

    /** A slot that will never be free again (its connection is gone and not coming back). */
    public void onSlotGone(final Slot slot)
    {
        freeSlots.remove(slot);
    }

    /** The transaction ended well; the slot is free again when {@code slotFree}. */
    public void onComplete(final Slot slot, final long intendedNs, final long sentNs, final long doneNs, final boolean slotFree)
    {
        inFlight--;
        completed++;
        recorder.record(intendedNs, sentNs, doneNs);
        if (slotFree)
        {
            freeSlots.add(slot);
        }
    }

    /** The transaction failed; counted under {@code kind}; the slot is free again when {@code slotFree}. */
    public void onFailed(final Slot slot, final ErrorKind kind, final String detail, final boolean slotFree)
    {
        inFlight--;
        failed++;
        errors.increment(kind, detail);
        if (slotFree)
        {
            freeSlots.add(slot);
        }
    }

    /** True once no more transactions will start. */
    public boolean issuingDone(final long nowNs)
    {
        return nowNs - stopNs >= 0 || schedule.nextIntendedNs() - stopNs >= 0;
    }

    public long inFlight()
    {
        return inFlight;
    }

    public long completed()
    {
        return completed;
    }

    public long failed()
    {
        return failed;
    }

    public long started()
    {
        return schedule.taken();
    }

    /** Intended times that are due but have not started for want of a free slot. */
    public long backlog(final long nowNs)
    {
        return schedule.dueAt(Math.min(nowNs, stopNs - 1));
    }
}
