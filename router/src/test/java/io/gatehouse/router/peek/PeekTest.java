package io.gatehouse.router.peek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.TestListenerStates;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.sni.ClientHelloBuilder;
import io.gatehouse.sni.PeekProtocol;
import io.gatehouse.sni.PeekStatus;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The peek stage alone: bytes in, a {@link PeekResult} out. */
class PeekTest
{
    private static final String CONFIG = "listeners:\n"
        + "  - address: 127.0.0.1:0\n"
        + "    peek_max_bytes: 512\n"
        + "    routes:\n"
        + "      - hostnames: [a.example.test]\n"
        + "        backends: [127.0.0.1:9]\n";

    private static ListenerState state() throws Exception
    {
        return TestListenerStates.first(CONFIG);
    }

    private static String name(final PeekResult result)
    {
        return result.flight().name().getStringWithoutLengthAscii(0, result.flight().nameLength());
    }

    @Test
    void shouldReturnTheNameProtocolAlpnAndRecordVersionOfAClientHello() throws Exception
    {
        final byte[] hello = new ClientHelloBuilder().serverName("A.Example.Test").alpn("h2", "http/1.1").build();
        final PeekResult result = new Peek(state(), 0).peek(new UnsafeBuffer(hello), 0, hello.length);

        assertSame(PeekStatus.OK, result.status());
        assertTrue(result.hasName());
        assertSame(PeekProtocol.TLS, result.protocol());
        assertEquals("a.example.test", name(result));
        assertEquals(2, result.flight().alpnCount());
        assertEquals(hello[1], result.recordMajor());
        assertEquals(hello[2], result.recordMinor());
        assertEquals(hello.length, result.bytesSeen());
    }

    @Test
    void shouldWaitForMoreDataAtEverySplitPointThenDecide() throws Exception
    {
        final byte[] hello = new ClientHelloBuilder().serverName("a.example.test").build();
        final Peek peek = new Peek(state(), 0);
        final UnsafeBuffer bytes = new UnsafeBuffer(hello);
        for (int length = 1; length < hello.length; length++)
        {
            assertSame(PeekStatus.NEED_MORE_DATA, peek.peek(bytes, 0, length).status(), "at " + length);
        }
        final PeekResult result = peek.peek(bytes, 0, hello.length);
        assertSame(PeekStatus.OK, result.status(), "after more than four calls, on the connection's own parser");
        assertEquals("a.example.test", name(result));
    }

    @Test
    void shouldPeekTwoInterleavedClientsOnOneLoopApart() throws Exception
    {
        final ListenerState state = state();
        final byte[] first = new ClientHelloBuilder().serverName("one.example.test").build();
        final byte[] second = "GET / HTTP/1.1\r\nHost: Two.Example.Test:8080\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        final Peek a = new Peek(state, 0);
        final Peek b = new Peek(state, 0);
        PeekResult ra = null;
        PeekResult rb = null;
        for (int length = 1; length <= Math.max(first.length, second.length); length++)
        {
            ra = a.peek(new UnsafeBuffer(first), 0, Math.min(length, first.length));
            if (length < first.length)
            {
                assertSame(PeekStatus.NEED_MORE_DATA, ra.status());
            }
            rb = b.peek(new UnsafeBuffer(second), 0, Math.min(length, second.length));
        }
        assertSame(PeekStatus.OK, ra.status());
        assertEquals("one.example.test", name(ra));
        assertSame(PeekStatus.OK, rb.status());
        assertSame(PeekProtocol.HTTP1, rb.protocol());
        assertEquals("two.example.test", name(rb));
        assertNotSame(ra.flight(), rb.flight(), "each slow client has a parser of its own");
    }

    @Test
    void shouldCallAFlightStillIncompleteAtTheBoundTooLarge() throws Exception
    {
        final Peek peek = new Peek(state(), 0);
        final byte[] request = ("GET / HTTP/1.1\r\nX-Long: " + "a".repeat(1000)).getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer bytes = new UnsafeBuffer(request);

        assertSame(PeekStatus.NEED_MORE_DATA, peek.peek(bytes, 0, 511).status());
        final PeekResult result = peek.peek(bytes, 0, 512);
        assertSame(PeekStatus.TOO_LARGE, result.status(), "512 bytes (peek_max_bytes) and still no end of headers");
        assertFalse(result.hasName());
        assertSame(PeekStatus.TOO_LARGE, peek.peek(bytes, 0, request.length).status(), "only the bound is parsed");

        final byte[] hello = new ClientHelloBuilder().serverName("a.example.test").padToBytes(2048).build();
        assertSame(PeekStatus.TOO_LARGE, new Peek(state(), 0).peek(new UnsafeBuffer(hello), 0, 100).status(),
            "a record declaring more than the bound");
    }

    @Test
    void shouldTellNoNameNotRecognisedAndMalformedApart() throws Exception
    {
        final ListenerState state = state();
        final byte[] noSni = new ClientHelloBuilder().build();
        assertSame(PeekStatus.NO_NAME, new Peek(state, 0).peek(new UnsafeBuffer(noSni), 0, noSni.length).status());
        final byte[] ssh = "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII);
        final PeekResult notRecognised = new Peek(state, 0).peek(new UnsafeBuffer(ssh), 0, ssh.length);
        assertSame(PeekStatus.NOT_RECOGNISED, notRecognised.status());
        assertEquals(3, notRecognised.recordMajor(), "no TLS record seen: the default version 3.1");
        assertEquals(1, notRecognised.recordMinor());
        final byte[] broken = {0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00};
        assertSame(PeekStatus.MALFORMED, new Peek(state, 0).peek(new UnsafeBuffer(broken), 0, broken.length).status());
    }

    @Test
    void shouldPeekWithoutAllocating() throws Exception
    {
        final ListenerState state = state();
        final byte[] hello = new ClientHelloBuilder().serverName("a.example.test").alpn("h2").build();
        final UnsafeBuffer bytes = new UnsafeBuffer(hello);
        final int perRound = 20_000;
        final Peek[][] rounds = new Peek[4][perRound];
        for (final Peek[] round : rounds)
        {
            for (int i = 0; i < perRound; i++)
            {
                round[i] = new Peek(state, 0);
            }
        }
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sink = 0;
        long allocated = Long.MAX_VALUE;
        for (final Peek[] round : rounds)
        {
            // the first round warms up; a connection's first two reads, on the loop's shared parser
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (final Peek peek : round)
            {
                sink += peek.peek(bytes, 0, 3).bytesSeen() + peek.peek(bytes, 0, hello.length).bytesSeen();
            }
            allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertTrue(sink > 0);
        assertTrue(allocated < 1024, perRound * 2 + " peeks allocated " + allocated + " bytes");
    }
}
