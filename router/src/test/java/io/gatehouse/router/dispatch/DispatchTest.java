package io.gatehouse.router.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gatehouse.balancer.Hash;
import io.gatehouse.router.TestListenerStates;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.peek.Peek;
import io.gatehouse.router.peek.PeekResult;
import io.gatehouse.router.proxy.ClientAddress;
import io.gatehouse.router.proxy.ProxyHeaderParser;
import io.gatehouse.router.proxy.ProxyIn;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.sni.ClientHelloBuilder;
import io.gatehouse.sni.PeekProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The dispatch stage alone: a real peek's result, a compiled listener and a client address in, a decision out. */
class DispatchTest
{
    private static final String ROUTES = "    routes:\n"
        + "      - hostnames: [a.example.test]\n"
        + "        backends: [127.0.0.1:9]\n"
        + "        hash_key: sni\n"
        + "      - hostnames: [closed.example.test]\n"
        + "        backends: [127.0.0.1:9]\n"
        + "        deny: [127.0.0.0/8]\n"
        + "      - hostnames: [tuple.example.test]\n"
        + "        backends: [127.0.0.1:9]\n"
        + "        hash_key: four_tuple\n";
    private static final String NO_DEFAULT = "listeners:\n  - address: 127.0.0.1:0\n" + ROUTES;
    private static final String WITH_DEFAULT = "listeners:\n  - address: 127.0.0.1:0\n"
        + "    default: a.example.test\n"
        + "    server_first: {route: tuple.example.test, delay: 100ms}\n" + ROUTES;
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.7", 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8446);

    private final Decision decision = new Decision();

    private static ClientAddress client()
    {
        return new ClientAddress(PEER.getAddress().getAddress(), PEER, LOCAL);
    }

    private static PeekResult peek(final ListenerState state, final byte[] bytes)
    {
        return new Peek(state, 0).peek(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(final ByteBuf bytes)
    {
        try
        {
            return ByteBufUtil.hexDump(bytes);
        }
        finally
        {
            bytes.release();
        }
    }

    @Test
    void shouldRouteANameToItsRouteHashedByTheName() throws Exception
    {
        final ListenerState state = TestListenerStates.first(NO_DEFAULT);
        final PeekResult result = peek(state, new ClientHelloBuilder().serverName("A.example.test").build());

        final Decision decided = Dispatch.decide(result, state, client(), decision);

        assertSame(Decision.Action.ROUTE, decided.action());
        assertSame(Counter.PEEK_OK, decided.outcome());
        assertEquals("a.example.test", decided.route().id());
        assertEquals(Hash.hash(ascii("a.example.test")), decided.hash());
        assertSame(result, decided.flight(), "the PROXY v2 header carries the name and ALPN");
        assertNull(decided.endReason());
    }

    @Test
    void shouldRejectAnUnroutedTlsNameWithAnAlertInTheClientsRecordVersion() throws Exception
    {
        final ListenerState state = TestListenerStates.first(NO_DEFAULT);
        final byte[] hello = new ClientHelloBuilder().serverName("nowhere.test").build();
        hello[2] = 0x03; // the client's record says TLS 1.2
        final PeekResult result = peek(state, hello);

        final Decision decided = Dispatch.decide(result, state, client(), decision);

        assertSame(Decision.Action.REJECT, decided.action());
        assertSame(Counter.PEEK_OK, decided.outcome());
        assertSame(Counter.REJECTED_NO_ROUTE, decided.refusal());
        assertSame(EndReason.NO_ROUTE, decided.endReason());
        assertSame(PeekProtocol.TLS, decided.rejectProtocol());
        assertEquals("15030300020270", hex(RejectResponse.forProtocol(
            UnpooledByteBufAllocator.DEFAULT, decided.rejectProtocol(), result.recordMajor(), result.recordMinor())));
    }

    @Test
    void shouldRejectHttpWithA421AndCloseAnUnrecognisedProtocolWithoutAWord() throws Exception
    {
        final ListenerState state = TestListenerStates.first(NO_DEFAULT);

        final Decision http = Dispatch.decide(
            peek(state, ascii("GET / HTTP/1.1\r\nHost: nowhere.test\r\n\r\n")), state, client(), decision);
        assertSame(Decision.Action.REJECT, http.action());
        assertSame(PeekProtocol.HTTP1, http.rejectProtocol());
        final ByteBuf answer = RejectResponse.forProtocol(UnpooledByteBufAllocator.DEFAULT, http.rejectProtocol(), 3, 1);
        try
        {
            assertEquals("HTTP/1.1 421 Misdirected Request\r\n", answer.toString(StandardCharsets.US_ASCII).substring(0, 34));
        }
        finally
        {
            answer.release();
        }

        final Decision ssh = Dispatch.decide(peek(state, ascii("SSH-2.0-OpenSSH_9.6\r\n")), state, client(), decision);
        assertSame(Decision.Action.REJECT, ssh.action());
        assertSame(Counter.PEEK_NOT_RECOGNISED, ssh.outcome());
        assertNull(ssh.rejectProtocol());
        assertNull(RejectResponse.forProtocol(UnpooledByteBufAllocator.DEFAULT, ssh.rejectProtocol(), 3, 1));
    }

    @Test
    void shouldCloseMalformedAndTooLargeFlights() throws Exception
    {
        final ListenerState state = TestListenerStates.first(WITH_DEFAULT);
        final byte[] broken = {0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00};

        final Decision malformed = Dispatch.decide(peek(state, broken), state, client(), decision);
        assertSame(Decision.Action.CLOSE, malformed.action());
        assertSame(Counter.PEEK_MALFORMED, malformed.outcome());
        assertNull(malformed.refusal());
        assertSame(EndReason.PEEK_MALFORMED, malformed.endReason());

        final byte[] huge = new ClientHelloBuilder().serverName("a.example.test").padToBytes(20_000).build();
        final Decision tooLarge = Dispatch.decide(peek(state, huge), state, client(), decision);
        assertSame(Decision.Action.CLOSE, tooLarge.action());
        assertSame(Counter.PEEK_TOO_LARGE, tooLarge.outcome());
        assertSame(EndReason.PEEK_TOO_LARGE, tooLarge.endReason());
    }

    @Test
    void shouldCloseAClientTheRouteDenies() throws Exception
    {
        final ListenerState state = TestListenerStates.first(NO_DEFAULT);

        final Decision decided = Dispatch.decide(
            peek(state, new ClientHelloBuilder().serverName("closed.example.test").build()), state, client(), decision);

        assertSame(Decision.Action.CLOSE, decided.action());
        assertSame(Counter.PEEK_OK, decided.outcome());
        assertSame(Counter.REJECTED_ACL, decided.refusal());
        assertSame(EndReason.REJECTED_ROUTE_DENIED, decided.endReason());
    }

    @Test
    void shouldSendNamelessAndUnrecognisedClientsToTheDefaultRouteHashedBySource() throws Exception
    {
        final ListenerState state = TestListenerStates.first(WITH_DEFAULT);
        final long sourceHash = Hash.hashAddress(PEER.getAddress().getAddress(), 0);

        final PeekResult nameless = peek(state, new ClientHelloBuilder().build());
        final Decision noName = Dispatch.decide(nameless, state, client(), decision);
        assertSame(Decision.Action.ROUTE, noName.action());
        assertSame(Counter.PEEK_NO_NAME, noName.outcome());
        assertEquals("a.example.test", noName.route().id());
        assertEquals(sourceHash, noName.hash(), "an sni-hashed route without a name hashes the source");
        assertSame(nameless, noName.flight(), "ALPN still goes into a PROXY v2 header");

        final Decision other = Dispatch.decide(peek(state, ascii("SSH-2.0-OpenSSH_9.6\r\n")), state, client(), decision);
        assertSame(Decision.Action.ROUTE, other.action());
        assertSame(Counter.PEEK_NOT_RECOGNISED, other.outcome());
        assertNull(other.flight());
    }

    @Test
    void shouldHashTheFourTupleAPROXYHeaderNamed() throws Exception
    {
        final ListenerState state = TestListenerStates.first(NO_DEFAULT);
        final byte[] hello = new ClientHelloBuilder().serverName("tuple.example.test").build();
        final ClientAddress proxied = client();
        final byte[] header = ascii("PROXY TCP4 192.0.2.1 198.51.100.2 51000 443\r\n");
        assertSame(ProxyIn.Status.HEADER, new ProxyIn(new ProxyHeaderParser()).read(new UnsafeBuffer(header), 0, header.length, proxied));

        final long viaProxy = Dispatch.decide(peek(state, hello), state, proxied, decision).hash();
        final long direct = Dispatch.decide(peek(state, hello), state, client(), decision).hash();

        assertEquals(Hash.mix(Hash.hashAddress(InetAddress.getByName("192.0.2.1").getAddress(), 51000),
            Hash.hashAddress(InetAddress.getByName("198.51.100.2").getAddress(), 443)), viaProxy);
        assertEquals(Hash.mix(Hash.hashAddress(PEER.getAddress().getAddress(), PEER.getPort()),
            Hash.hashAddress(LOCAL.getAddress().getAddress(), LOCAL.getPort())), direct);
        assertNotEquals(viaProxy, direct);
    }

    @Test
    void shouldSendASilentClientToTheServerFirstRouteOnlyWhereThereIsOne() throws Exception
    {
        final Decision decided = Dispatch.serverFirst(TestListenerStates.first(WITH_DEFAULT), client(), decision);
        assertSame(Decision.Action.ROUTE, decided.action());
        assertSame(Counter.PEEK_SERVER_FIRST, decided.outcome());
        assertEquals("tuple.example.test", decided.route().id());
        assertEquals(Hash.hashAddress(PEER.getAddress().getAddress(), 0), decided.hash());
        assertNull(decided.flight());

        assertNull(Dispatch.serverFirst(TestListenerStates.first(NO_DEFAULT), client(), decision));
    }

    @Test
    void shouldGiveH2cItsPrefaceHeadersAndGoaway()
    {
        final ByteBuf bytes = RejectResponse.forProtocol(UnpooledByteBufAllocator.DEFAULT, PeekProtocol.H2C, 3, 1);
        assertArrayEquals(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0}, ByteBufUtil.getBytes(bytes, 0, 9), "empty SETTINGS first");
        assertEquals(9 + 14 + 17, bytes.readableBytes());
        bytes.release();
    }
}
