package io.gatehouse.router.loop;

import io.netty.channel.epoll.EpollIoOps;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's epoll event table, filled by {@link EpollEvents}: the combined flags the raw relay's edge-triggered
 * sockets hear come from it (the same object every time, no garbage per event) and keep their flags. A Netty
 * upgrade that renames or reshapes the table fails here, not as garbage on the data path.
 */
class EpollEventsTest
{
    private static final int IN = 0x001;
    private static final int OUT = 0x004;
    private static final int ERR = 0x008;
    private static final int HUP = 0x010;
    private static final int RDHUP = 0x2000;

    @Test
    void shouldHandOutOneEventPerCombinationOfTheRelaysFlags()
    {
        assertTrue(EpollEvents.cacheCombinations() >= 0, "this Netty has the event table");
        assertEquals(0, EpollEvents.cacheCombinations(), "filled once");
        for (final int flags : new int[] {IN | OUT, IN | RDHUP, IN | OUT | RDHUP, OUT | RDHUP, IN | ERR, IN | OUT | ERR | HUP})
        {
            assertSame(EpollIoOps.valueOf(flags), EpollIoOps.valueOf(flags), "0x" + Integer.toHexString(flags) + " from the table");
            assertEquals(flags, EpollIoOps.valueOf(flags).value());
        }
        final int reset = IN | OUT | ERR | HUP | RDHUP; // past the table's end: built per event, still right
        assertEquals(reset, EpollIoOps.valueOf(reset).value());
    }
}
