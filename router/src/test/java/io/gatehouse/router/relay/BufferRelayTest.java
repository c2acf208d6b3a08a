package io.gatehouse.router.relay;

import io.gatehouse.router.relay.SpliceTestBed.Pair;
import io.gatehouse.router.relay.SpliceTestBed.Relayed;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import static io.gatehouse.router.relay.SpliceTestBed.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw-socket relay with {@link BufferDirection}s (recv/send through the loop's pooled buffers, the
 * epoll transport's {@code relay: copy}): every case of {@link SpliceRelayTest}, and what the pool
 * promises, that an idle connection holds no buffer and bursts reuse the same few.
 */
class BufferRelayTest extends SpliceRelayTest
{
    @Override
    boolean copy()
    {
        return true;
    }

    @Test
    void shouldHoldNoBufferWhileIdleAndReuseTheSameFew() throws Exception
    {
        try (SpliceTestBed own = new SpliceTestBed(true, rawBackend(), rawClient()))
        {
            final List<Pair> pairs = new ArrayList<>();
            final List<Relayed> relays = new ArrayList<>();
            try
            {
                for (int i = 0; i < 24; i++)
                {
                    pairs.add(own.connect());
                    relays.add(own.nextRelayed());
                }
                final byte[] request = new byte[3_000];
                final byte[] answer = new byte[70_000]; // more than one buffer: two reads each way
                for (int round = 0; round < 20; round++)
                {
                    for (final Pair pair : pairs)
                    {
                        request[0] = (byte)round;
                        pair.client().getOutputStream().write(request);
                        final InputStream backendIn = pair.backend().getInputStream();
                        assertEquals(round, backendIn.readNBytes(request.length)[0]);
                        answer[answer.length - 1] = (byte)round;
                        final OutputStream backendOut = pair.backend().getOutputStream();
                        backendOut.write(answer);
                        assertEquals(round, pair.client().getInputStream().readNBytes(answer.length)[answer.length - 1]);
                    }
                }
                final RelayBufferPool pool = own.buffers();
                // 24 connections at rest: every buffer back in the pool (none held), and one request at a
                // time never needed more than a couple.
                await("every buffer back", 5_000, () -> allBack(own, pool));
                final long allocated = own.onLoop(pool::allocated);
                assertTrue(allocated <= 3, "buffers allocated for 24 connections taking turns: " + allocated);
            }
            finally
            {
                for (final Pair pair : pairs)
                {
                    pair.close();
                }
            }
            for (final Relayed relayed : relays)
            {
                relayed.awaitClosed();
            }
        }
    }

    private static boolean allBack(final SpliceTestBed on, final RelayBufferPool pool)
    {
        try
        {
            return on.onLoop(() -> pool.idleCount() == pool.allocated());
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }
}
