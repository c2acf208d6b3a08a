package io.gatehouse.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The open loop on a hand-moved clock: a simulated server with a fixed service time, one stall, and
 * the dispatcher deciding when each transaction starts. No Netty, no sleeping.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class OpenLoopDispatcherTest
{
    private static final long MS = 1_000_000L;
    private static final long SERVICE_NS = 100_000L;

    /** A simulated world: slots whose transactions complete SERVICE_NS after they begin, unless stalled. */
    private static final class Simulation
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        final ErrorCounts errors = new ErrorCounts();
        final OpenLoopDispatcher dispatcher;
        final List<long[]> inFlight = new ArrayList<>();
        final long stallFromNs;
        final long stallUntilNs;
        long nowNs;
        long begun;

        Simulation(final double rate, final long stopNs, final int slots, final long stallFromNs, final long stallUntilNs)
        {
            this.stallFromNs = stallFromNs;
            this.stallUntilNs = stallUntilNs;
            dispatcher = new OpenLoopDispatcher(new OpenLoopSchedule(0, rate), stopNs, recorder, errors, slots);
            for (int i = 0; i < slots; i++)
            {
                dispatcher.onSlotFree(new SimulatedSlot(this));
            }
        }

        long completionFor(final long startNs)
        {
            final long doneNs = startNs + SERVICE_NS;
            if (doneNs - stallFromNs > 0 && stallUntilNs - startNs > 0)
            {
                return stallUntilNs + SERVICE_NS;
            }
            return doneNs;
        }

        /** Moves time forward event by event until {@code endNs}. */
        void runUntil(final long endNs)
        {
            long wakeNs = dispatcher.onTick(nowNs);
            while (true)
            {
                long nextNs = Long.MAX_VALUE;
                long[] next = null;
                for (final long[] txn : inFlight)
                {
                    if (txn[3] < nextNs)
                    {
                        nextNs = txn[3];
                        next = txn;
                    }
                }
                final long tickNs = wakeNs == OpenLoopDispatcher.NO_WAKEUP ? Long.MAX_VALUE : wakeNs;
                final long eventNs = Math.min(nextNs, tickNs);
                if (eventNs == Long.MAX_VALUE || eventNs > endNs)
                {
                    nowNs = endNs;
                    return;
                }
                nowNs = eventNs;
                if (next != null && nextNs <= tickNs)
                {
                    inFlight.remove(next);
                    dispatcher.onComplete((Slot)slotOf(next), next[1], next[2], nowNs, true);
                }
                wakeNs = dispatcher.onTick(nowNs);
            }
        }

        private final List<Slot> slotsById = new ArrayList<>();

        Object slotOf(final long[] txn)
        {
            return slotsById.get((int)txn[0]);
        }
    }

    private static final class SimulatedSlot implements Slot
    {
        private final Simulation sim;
        private final int id;

        SimulatedSlot(final Simulation sim)
        {
            this.sim = sim;
            this.id = sim.slotsById.size();
            sim.slotsById.add(this);
        }

        @Override
        public void begin(final long intendedNs, final long nowNs)
        {
            sim.begun++;
            sim.inFlight.add(new long[] {id, intendedNs, nowNs, sim.completionFor(nowNs)});
        }

        @Override
        public void checkDeadline(final long nowNs)
        {
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    void shouldCountTheWaitBehindAStallInCorrectedLatencyOnly()
    {
        // 1,000/s on one connection for 4 s; the server stalls for one second at t = 1 s, and the
        // backlog behind it drains by about t = 3.1 s.
        final Simulation sim = new Simulation(1_000, 4_000 * MS, 1, 1_000 * MS, 2_000 * MS);
        sim.runUntil(10_000 * MS);

        final Histogram corrected = sim.recorder.correctedInterval();
        final Histogram uncorrected = sim.recorder.uncorrectedInterval();
        assertEquals(4_000, sim.begun);
        assertEquals(4_000, corrected.getTotalCount());
        assertEquals(4_000, uncorrected.getTotalCount());

        // Uncorrected: one slow answer, everything else at the service time.
        assertTrue(uncorrected.getValueAtPercentile(99) <= 2 * SERVICE_NS, "uncorrected p99 " + uncorrected.getValueAtPercentile(99));
        assertTrue(uncorrected.getMaxValue() >= 1_000 * MS - MS, "uncorrected max " + uncorrected.getMaxValue());
        // Corrected: every request intended during the stall waited for it (over a quarter of the run).
        assertTrue(corrected.getValueAtPercentile(75) >= 50 * MS, "corrected p75 " + corrected.getValueAtPercentile(75));
        assertTrue(corrected.getValueAtPercentile(98) >= 900 * MS, "corrected p99 " + corrected.getValueAtPercentile(99));
        assertTrue(corrected.getMaxValue() >= 1_000 * MS, "corrected max " + corrected.getMaxValue());
        assertTrue(corrected.getValueAtPercentile(25) <= 2 * SERVICE_NS, "corrected p25 " + corrected.getValueAtPercentile(25));
    }

    @Test
    void shouldMatchUncorrectedLatencyWhenNothingStalls()
    {
        final Simulation sim = new Simulation(1_000, 1_000 * MS, 1, Long.MAX_VALUE, Long.MAX_VALUE);
        sim.runUntil(2_000 * MS);

        final Histogram corrected = sim.recorder.correctedInterval();
        final Histogram uncorrected = sim.recorder.uncorrectedInterval();
        assertEquals(1_000, corrected.getTotalCount());
        assertEquals(corrected.getMaxValue(), uncorrected.getMaxValue());
        assertTrue(Math.abs(corrected.getMaxValue() - SERVICE_NS) <= SERVICE_NS / 100);
    }

    @Test
    void shouldKeepTheRateAcrossSlotsAndStopAtTheStopTime()
    {
        final Simulation sim = new Simulation(10_000, 500 * MS, 8, Long.MAX_VALUE, Long.MAX_VALUE);
        sim.runUntil(250 * MS);
        assertEquals(2_501, sim.begun, "started by t = 250 ms inclusive (intended 0, 0.1 ms, ... 250 ms)");
        sim.runUntil(2_000 * MS);
        assertEquals(5_000, sim.begun);
        assertEquals(0, sim.dispatcher.inFlight());
        assertTrue(sim.dispatcher.issuingDone(sim.nowNs));
        assertEquals(0, sim.dispatcher.backlog(sim.nowNs));
    }

    @Test
    void shouldReportTheBacklogWhenNoSlotIsFree()
    {
        final Simulation sim = new Simulation(1_000, 1_000 * MS, 1, 0, 10_000 * MS);
        sim.runUntil(500 * MS);
        assertEquals(1, sim.begun);
        assertEquals(1, sim.dispatcher.inFlight());
        assertEquals(500, sim.dispatcher.backlog(500 * MS), "intended 1..500 ms are due and waiting");
    }

    @Test
    void shouldStartNothingAtOrAfterTheStopTimeAndReportTheRestAsNotStarted()
    {
        // The server stalls from 0 to 2 s; the run stops at 1 s: only the first transaction starts.
        final Simulation sim = new Simulation(1_000, 1_000 * MS, 1, 0, 2_000 * MS);
        sim.runUntil(5_000 * MS);
        assertEquals(1, sim.begun);
        assertEquals(0, sim.dispatcher.inFlight());
        assertEquals(999, sim.dispatcher.backlog(sim.nowNs), "intended 1..999 ms never started");
        assertTrue(sim.dispatcher.issuingDone(sim.nowNs));
    }

    @Test
    void shouldNotRecordTransactionsIntendedDuringTheWarmupEvenWhenTheyCompleteLater()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        recorder.measureFrom(1_000 * MS);
        recorder.record(999 * MS, 999 * MS, 1_500 * MS);
        recorder.record(1_000 * MS, 1_200 * MS, 1_500 * MS);
        recorder.record(-5 * MS, -5 * MS, 1_500 * MS);
        final Histogram corrected = recorder.correctedInterval();
        assertEquals(1, corrected.getTotalCount());
        assertTrue(Math.abs(corrected.getMaxValue() - 500 * MS) <= MS);
        assertEquals(1, recorder.uncorrectedInterval().getTotalCount());
    }

    @Test
    void shouldRecordEverythingWhenNoWarmupWasSet()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(Long.MAX_VALUE - 10, Long.MAX_VALUE - 10, Long.MAX_VALUE - 5);
        recorder.record(Long.MIN_VALUE + 10, Long.MIN_VALUE + 10, Long.MIN_VALUE + 20);
        recorder.record(0, 0, 1);
        assertEquals(3, recorder.correctedInterval().getTotalCount());
    }

    @Test
    void shouldCountFailuresByKindAndFreeTheSlot()
    {
        final ErrorCounts errors = new ErrorCounts();
        final OpenLoopDispatcher dispatcher = new OpenLoopDispatcher(new OpenLoopSchedule(0, 1_000), 10 * MS,
            new LatencyRecorder(), errors, 1);
        final List<Long> begins = new ArrayList<>();
        final Slot[] self = new Slot[1];
        self[0] = new Slot()
        {
            @Override
            public void begin(final long intendedNs, final long nowNs)
            {
                begins.add(intendedNs);
                dispatcher.onFailed(self[0], ErrorKind.REFUSED, "test", true);
            }

            @Override
            public void checkDeadline(final long nowNs)
            {
            }

            @Override
            public void close()
            {
            }
        };
        dispatcher.onSlotFree(self[0]);
        assertEquals(OpenLoopDispatcher.NO_WAKEUP, dispatcher.onTick(9 * MS + MS / 2));
        assertEquals(10, begins.size(), "every intended time before the stop started, each failed at once");
        assertEquals(10, errors.get(ErrorKind.REFUSED));
        assertEquals(10, dispatcher.failed());
        assertEquals("refused: test", errors.firstError());
    }
}
