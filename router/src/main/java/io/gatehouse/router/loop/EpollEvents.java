package io.gatehouse.router.loop;

import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.Native;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Netty 4.2's epoll loop hands each ready fd its event as an {@link EpollIoEvent}, looked up by the event's
 * flags in a table that holds only the single flags and one combination; any other combination is two new
 * objects per event. The raw relay's sockets run edge-triggered on IN|OUT|RDHUP, so most of their events are
 * combinations (IN|OUT as bytes arrive on a writable socket, IN|RDHUP with a FIN): about 63 bytes of garbage per
 * keep-alive request, a young collection every two seconds or so under wrk. This fills the rest of Netty's table,
 * once, before any loop runs, with the combinations of IN, OUT, ERR, HUP and RDHUP that fit in it (the events are
 * immutable; a reader sees an entry or null, and null still means a fresh one). A reset's event (all five flags)
 * lies past the table's end and is still built, once per reset socket.
 */
final class EpollEvents
{
    /** Netty's {@link Native} has no EPOLLHUP (sys/epoll.h's value; the relay's handle names it too). */
    private static final int EPOLLHUP = 0x010;
    private static final int[] FLAGS = {Native.EPOLLIN, Native.EPOLLOUT, Native.EPOLLERR, EPOLLHUP, Native.EPOLLRDHUP};

    private EpollEvents()
    {
    }

    /**
     * Fills Netty's event table (idempotent).
     *
     * @return the entries added, or -1 when this Netty has no such table (then events are built as before).
     */
    static synchronized int cacheCombinations()
    {
        final EpollIoEvent[] table;
        final MethodHandle eventOf;
        try
        {
            final MethodHandles.Lookup netty = MethodHandles.privateLookupIn(EpollIoOps.class, MethodHandles.lookup());
            table = (EpollIoEvent[])netty.findStaticGetter(EpollIoOps.class, "EVENTS", EpollIoEvent[].class).invokeExact();
            eventOf = netty.findStatic(EpollIoOps.class, "eventOf", MethodType.methodType(EpollIoEvent.class, int.class));
        }
        catch (final Error fatal)
        {
            throw fatal;
        }
        catch (final Throwable missing)
        {
            return -1; // another Netty: no table, or another shape of it
        }
        int added = 0;
        for (int subset = 1; subset < 1 << FLAGS.length; subset++)
        {
            int value = 0;
            for (int bit = 0; bit < FLAGS.length; bit++)
            {
                if ((subset & 1 << bit) != 0)
                {
                    value |= FLAGS[bit];
                }
            }
            if (value < table.length && table[value] == null)
            {
                try
                {
                    table[value] = (EpollIoEvent)eventOf.invokeExact(value); // a fresh event for an uncached value
                }
                catch (final Error fatal)
                {
                    throw fatal;
                }
                catch (final Throwable unexpected)
                {
                    return added;
                }
                added++;
            }
        }
        return added;
    }
}
