package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.systemd.InheritedSockets.Status;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class InheritedSocketsTest
{
    private static final long PID = 777;
    private static final InetSocketAddress PUBLIC = new InetSocketAddress("127.0.0.1", 8446);
    private static final InetSocketAddress PRIVATE = new InetSocketAddress("::1", 8447);

    /** fd 3 and 5 listen on PUBLIC and PRIVATE; fd 4 is something else (a unix socket, say). */
    private static final InheritedSockets.Inspector FAKE = (fd, name) ->
        switch (fd)
        {
            case 3 -> new InheritedSocket(fd, name, PUBLIC, true);
            case 5 -> new InheritedSocket(fd, name, PRIVATE, true);
            default -> new InheritedSocket(fd, name, null, false);
        };

    private static InheritedSockets parse(final Map<String, String> env)
    {
        return InheritedSockets.parse(env, PID, FAKE);
    }

    @Test
    void shouldFindNothingWithoutListenFds()
    {
        final InheritedSockets sockets = parse(Map.of());
        assertEquals(Status.NONE, sockets.status());
        assertFalse(sockets.present());
    }

    @Test
    void shouldIgnoreSocketsPassedToAnotherProcess()
    {
        final InheritedSockets sockets = parse(Map.of("LISTEN_PID", "776", "LISTEN_FDS", "1"));
        assertEquals(Status.NOT_FOR_THIS_PROCESS, sockets.status());
        assertTrue(sockets.sockets().isEmpty());
        assertTrue(sockets.reason().contains("776"));
    }

    @Test
    void shouldNumberDescriptorsFromThreeWithTheirNames()
    {
        final InheritedSockets sockets = parse(Map.of("LISTEN_PID", "777", "LISTEN_FDS", "3", "LISTEN_FDNAMES", "public:admin:private"));
        assertEquals(Status.OK, sockets.status());
        assertEquals(
            List.of(new InheritedSocket(3, "public", PUBLIC, true), new InheritedSocket(4, "admin", null, false), new InheritedSocket(5, "private", PRIVATE, true)),
            sockets.sockets());
    }

    @Test
    void shouldNameDescriptorsUnknownWithoutListenFdNames()
    {
        final InheritedSockets sockets = parse(Map.of("LISTEN_PID", "777", "LISTEN_FDS", "1"));
        assertEquals(List.of(new InheritedSocket(3, "unknown", PUBLIC, true)), sockets.sockets());
    }

    @Test
    void shouldAcceptZeroDescriptors()
    {
        final InheritedSockets sockets = parse(Map.of("LISTEN_PID", "777", "LISTEN_FDS", "0"));
        assertEquals(Status.OK, sockets.status());
        assertFalse(sockets.present());
    }

    @Test
    void shouldRefuseMalformedVariables()
    {
        final List<Map<String, String>> malformed = List.of(
            Map.of("LISTEN_FDS", "1"),
            Map.of("LISTEN_PID", "777", "LISTEN_FDS", "one"),
            Map.of("LISTEN_PID", "seven", "LISTEN_FDS", "1"),
            Map.of("LISTEN_PID", "777", "LISTEN_FDS", "-1"),
            Map.of("LISTEN_PID", "777", "LISTEN_FDS", "100000"),
            Map.of("LISTEN_PID", "777", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "public"),
            Map.of("LISTEN_PID", "777", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "public:"));
        for (final Map<String, String> env : malformed)
        {
            final InheritedSockets sockets = parse(env);
            assertEquals(Status.MALFORMED, sockets.status(), env.toString());
            assertTrue(sockets.sockets().isEmpty(), env.toString());
            assertFalse(sockets.reason().isEmpty(), env.toString());
        }
    }

    @Test
    void shouldMatchListenerWithLiteralAddressByAddressWhateverTheName()
    {
        final InheritedSockets sockets = parse(Map.of("LISTEN_PID", "777", "LISTEN_FDS", "3", "LISTEN_FDNAMES", "gatehouse:gatehouse:gatehouse"));
        assertEquals(List.of(3), fds(sockets.forListener("gatehouse", new HostPort("127.0.0.1", 8446))));
        assertEquals(List.of(5), fds(sockets.forListener("other", new HostPort("::1", 8447))));
        assertEquals(List.of(5), fds(sockets.forListener("other", new HostPort("0:0:0:0:0:0:0:1", 8447))));
        assertEquals(List.of(), fds(sockets.forListener("gatehouse", new HostPort("127.0.0.1", 8447))));
        assertEquals(List.of(), fds(sockets.forListener("gatehouse", new HostPort("10.0.0.1", 8446))));
    }

    @Test
    void shouldMatchListenerWithDnsNameByDescriptorName()
    {
        final InheritedSockets sockets = parse(Map.of("LISTEN_PID", "777", "LISTEN_FDS", "3", "LISTEN_FDNAMES", "public:admin:private"));
        assertEquals(List.of(3), fds(sockets.forListener("public", new HostPort("vip.example.test", 8446))));
        assertEquals(List.of(5), fds(sockets.forListener("private", new HostPort("localhost", 1))));
        assertEquals(List.of(), fds(sockets.forListener("admin", new HostPort("localhost", 9901))), "fd 4 is no TCP listener");
        assertEquals(List.of(), fds(sockets.forListener("other", new HostPort("localhost", 8446))));
    }

    @Test
    void shouldReturnEverySocketGivenForOneAddress()
    {
        final InheritedSockets sockets = InheritedSockets.parse(
            Map.of("LISTEN_PID", "777", "LISTEN_FDS", "3"), PID, (fd, name) -> new InheritedSocket(fd, name, PUBLIC, fd != 4));
        assertEquals(List.of(3, 5), fds(sockets.forListener("public", new HostPort("127.0.0.1", 8446))));
    }

    @Test
    void shouldInspectRealListeningSocket() throws Exception
    {
        Epoll.ensureAvailability();
        final Socket listening = Socket.newSocketStream();
        final Socket connectedOnly = Socket.newSocketStream();
        final Socket datagram = Socket.newSocketDgram();
        try
        {
            listening.bind(new InetSocketAddress("127.0.0.1", 0));
            listening.listen(16);
            connectedOnly.bind(new InetSocketAddress("127.0.0.1", 0));
            datagram.bind(new InetSocketAddress("127.0.0.1", 0));

            final InheritedSocket inspected = InheritedSockets.inspect(listening.intValue(), "public");
            assertTrue(inspected.tcpListener());
            assertEquals(listening.localAddress(), inspected.local());

            assertFalse(InheritedSockets.inspect(connectedOnly.intValue(), "x").tcpListener());
            assertFalse(InheritedSockets.inspect(datagram.intValue(), "x").tcpListener());
            final InheritedSocket closed = InheritedSockets.inspect(100_000, "x");
            assertFalse(closed.tcpListener());
            assertNull(closed.local());
        }
        finally
        {
            listening.close();
            connectedOnly.close();
            datagram.close();
        }
    }

    private static List<Integer> fds(final List<InheritedSocket> sockets)
    {
        return sockets.stream().map(InheritedSocket::fd).toList();
    }
}
