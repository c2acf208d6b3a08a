package io.gatehouse.router.peek;

import io.gatehouse.balancer.Hash;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.connect.BackendConnector;
import io.gatehouse.router.connect.ConnectOutcome;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.metrics.WorkerCounters;
import io.gatehouse.router.policy.AdmissionPolicy;
import io.gatehouse.router.policy.RejectReason;
import io.gatehouse.router.proxy.ProxyHeaderEncoder;
import io.gatehouse.router.proxy.ProxyHeaderParser;
import io.gatehouse.router.proxy.ProxyHeaderStatus;
import io.gatehouse.router.relay.RelayStarter;
import io.gatehouse.router.route.Route;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.session.SessionStage;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekProtocol;
import io.gatehouse.sni.PeekStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One client's peek, then its way to a backend.
 *
 * <p>Stages: PEEKING (reading with auto-read off, one {@code read()} at a time, until the parser decides,
 * the byte bound is reached, the peek deadline passes, or, for a listener with a server-first route, the
 * client stays silent for the server-first delay), CONNECTING (a {@link BackendConnector} is trying
 * backends; the client is not read), DONE (relay started, or the client rejected or closed).
 *
 * <p>Policy per peek outcome (each counted):
 * <table>
 * <caption>peek outcome to action</caption>
 * <tr><th>outcome</th><th>action</th></tr>
 * <tr><td>NEED_MORE_DATA</td><td>read again</td></tr>
 * <tr><td>OK</td><td>route by name (and ALPN); no match: the listener's default route, else reject</td></tr>
 * <tr><td>NO_NAME</td><td>the listener's default route, else reject</td></tr>
 * <tr><td>NOT_RECOGNISED</td><td>the listener's default route, else close</td></tr>
 * <tr><td>MALFORMED, TOO_LARGE</td><td>close</td></tr>
 * <tr><td>timeout, client EOF</td><td>close</td></tr>
 * <tr><td>silent for serverFirstDelay</td><td>the server-first route</td></tr>
 * </table>
 * Reject: TLS gets a fatal unrecognized_name alert, HTTP/1.x a 421, h2c a 421 then GOAWAY; then close.
 *
 * <p>The first read is parsed in place (an {@link UnsafeBuffer} view over the read buffer's memory); only
 * when it does not decide are the bytes collected into one buffer owned by this handler. Whatever was
 * read is written to the backend unchanged before the relay starts (after the route's PROXY header, if
 * any). The loop's shared parser is reset and re-fed all bytes for the first few reads; a client that
 * needs more gets a parser of its own, so slow clients cost linear work.
 *
 * <p>A source trusted to send a PROXY header must open with one (strictly parsed); its addresses then
 * stand for the client in admission, hashing and the outgoing header. From any other source, and right
 * after a trusted header, bytes that start with a PROXY signature (v1 {@code "PROXY "}, v2's 12 bytes)
 * are refused on every listener; bytes that so far are only a prefix of one wait for the next segment,
 * so a signature split over segments is refused too (counted {@code rejected_proxy_header}).
 *
 * <p>Everything learnt goes to the connection's {@link Session}, which ends the connection once.
 *
 * <p>Thread: the client's event loop. Not thread-safe.
 */
public final class PeekHandler extends io.netty.channel.ChannelInboundHandlerAdapter implements ConnectOutcome, SessionStage
{
    private static final int INITIAL_COLLECT_BYTES = 2048;
    /** Reads parsed from scratch by the loop's shared parser before the connection gets a parser of its own. */
    private static final int SHARED_PARSER_READS = 4;
    /** A v1 header is at most 107 bytes with its CRLF. */
    private static final int PROXY_V1_MAX_BYTES = 108;
    private static final int STAGE_PEEKING = 0;
    private static final int STAGE_CONNECTING = 1;
    private static final int STAGE_DONE = 2;

    private final Worker worker;
    private final WorkerCounters counters;
    private final ListenerState state;
    private final Session session;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private byte[] source;
    private InetAddress sourceAddress;
    private int sourcePort;
    private byte[] destination;
    private int destinationPort;
    private boolean proxyHeaderExpected;
    /** The bytes so far were screened and start with no PROXY signature. */
    private boolean screened;
    private ByteBuf proxyHeaderOut;
    private ChannelHandlerContext ctx;
    private ByteBuf peeked;
    private int stage = STAGE_PEEKING;
    private boolean anyBytes;
    private boolean clientInputDone;
    private long deadlineNs;
    private long serverFirstAtNs;
    private int recordMajor = 3;
    private int recordMinor = 1;
    private Route route;
    private BackendConnector connector;
    private FirstFlightParser parser;
    private FirstFlightParser ownParser;
    private int parses;

    public PeekHandler(final Session session, final byte[] source)
    {
        final Worker worker = session.worker();
        final ListenerState state = session.listener();
        final InetSocketAddress remote = session.clientAddress();
        final InetSocketAddress local = session.localAddress();
        this.session = session;
        this.worker = worker;
        this.counters = worker.counters();
        this.state = state;
        this.remote = remote;
        this.local = local;
        this.source = source;
        this.sourceAddress = remote.getAddress();
        this.sourcePort = remote.getPort();
        this.destinationPort = local.getPort();
        this.proxyHeaderExpected = state.trustsProxyHeaderFrom(source);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        final long nowNs = worker.nowNs();
        deadlineNs = nowNs + state.peekTimeoutNs();
        serverFirstAtNs = nowNs + state.serverFirstDelayNs();
        session.onPeeking(this);
        ctx.read();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        releasePeeked();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf) || stage == STAGE_DONE)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        final ByteBuf in = (ByteBuf)msg;
        anyBytes = true;
        if (stage == STAGE_CONNECTING)
        {
            collect(in);
            return;
        }
        if (proxyHeaderExpected)
        {
            collect(in);
            onProxyHeaderBytes();
            return;
        }
        if (!screened)
        {
            final ByteBuf all = peeked != null ? peeked : in;
            if (peeked != null)
            {
                collect(in);
            }
            if (!screen(all))
            {
                if (all == in)
                {
                    if (stage == STAGE_DONE)
                    {
                        in.release();
                    }
                    else
                    {
                        collect(in);
                    }
                }
                return;
            }
            if (peeked != null)
            {
                final PeekStatus status = parse(peeked);
                if (status != PeekStatus.NEED_MORE_DATA)
                {
                    decide(status);
                }
                return;
            }
        }
        if (peeked == null && (in.hasMemoryAddress() || in.hasArray()))
        {
            final PeekStatus status = parse(in);
            if (status == PeekStatus.NEED_MORE_DATA)
            {
                collect(in);
            }
            else
            {
                peeked = in;
                decide(status);
            }
            return;
        }
        collect(in);
        final PeekStatus status = parse(peeked);
        if (status != PeekStatus.NEED_MORE_DATA)
        {
            decide(status);
        }
    }

    /**
     * Screens all bytes so far for a PROXY signature (every listener, every untrusted source, and again
     * after a trusted header). Returns true when they start with none and the peek may go on; false when
     * they are a prefix of one (wait for more) or the connection was refused for carrying one.
     */
    private boolean screen(final ByteBuf all)
    {
        final int readable = all.readableBytes();
        final ProxyHeaderStatus signature = ProxyHeaderParser.signature(wrap(all, readable), 0, readable);
        if (signature == ProxyHeaderStatus.NOT_PROXY)
        {
            screened = true;
            return true;
        }
        if (signature == ProxyHeaderStatus.OK || readable >= state.peekMaxBytes())
        {
            counters.increment(Counter.REJECTED_PROXY_HEADER);
            session.noteEnd(EndReason.REJECTED_PROXY_HEADER);
            if (all == peeked)
            {
                close();
            }
            else
            {
                stage = STAGE_DONE;
                releasePeeked();
                ctx.close();
            }
        }
        return false;
    }

    /**
     * A trusted source's connection starts with a PROXY v1/v2 header: parse it strictly over all bytes
     * so far, take the client's addresses from it (ACL, hashing and the outgoing PROXY header then see
     * the client, not the balancer), drop it from what goes to the backend, then peek at what follows.
     * Anything else from a trusted source is closed and counted.
     */
    private void onProxyHeaderBytes()
    {
        final ProxyHeaderParser proxy = worker.proxyParser();
        final ProxyHeaderStatus status = proxy.parse(wrap(peeked, peeked.readableBytes()), 0, peeked.readableBytes());
        if (status == ProxyHeaderStatus.NEED_MORE_DATA)
        {
            return;
        }
        if (status != ProxyHeaderStatus.OK)
        {
            counters.increment(Counter.REJECTED_PROXY_HEADER);
            session.noteEnd(EndReason.REJECTED_PROXY_HEADER);
            close();
            return;
        }
        proxyHeaderExpected = false;
        if (proxy.addressLength() > 0 && proxy.family() != ProxyHeaderParser.Family.UNIX)
        {
            final int length = proxy.family() == ProxyHeaderParser.Family.INET ? 4 : 16;
            source = new byte[length];
            proxy.copySourceAddress(source, 0);
            sourcePort = proxy.sourcePort();
            destination = new byte[length];
            proxy.copyDestinationAddress(destination, 0);
            destinationPort = proxy.destinationPort();
            try
            {
                sourceAddress = InetAddress.getByAddress(source);
            }
            catch (final UnknownHostException ex)
            {
                counters.increment(Counter.REJECTED_PROXY_HEADER);
                session.noteEnd(EndReason.REJECTED_PROXY_HEADER);
                close();
                return;
            }
        }
        peeked.skipBytes(proxy.headerLength());
        session.onClientAddress(new InetSocketAddress(sourceAddress, sourcePort));
        final RejectReason refused = admit(state, sourceAddress, ctx.channel());
        if (refused != RejectReason.NONE)
        {
            session.noteEnd(EndReason.rejected(refused));
            counters.increment(Counter.REJECTED_ACL);
            close();
            return;
        }
        screened = false;
        if (peeked.isReadable() && screen(peeked))
        {
            final PeekStatus flight = parse(peeked);
            if (flight != PeekStatus.NEED_MORE_DATA)
            {
                decide(flight);
            }
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (stage == STAGE_PEEKING && !clientInputDone)
        {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            clientInputDone = true;
            if (stage == STAGE_PEEKING)
            {
                counters.increment(Counter.PEEK_EOF);
                session.noteEnd(EndReason.PEEK_EOF);
                close();
            }
        }
        ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (stage == STAGE_PEEKING && session.endReason() == null)
        {
            counters.increment(Counter.PEEK_EOF);
            session.noteEnd(EndReason.PEEK_EOF);
        }
        else if (stage == STAGE_CONNECTING)
        {
            session.noteEnd(EndReason.CLIENT_RESET);
        }
        if (stage == STAGE_CONNECTING && connector != null)
        {
            connector.abort();
        }
        stage = STAGE_DONE;
        releasePeeked();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (stage == STAGE_PEEKING)
        {
            counters.increment(Counter.PEEK_EOF);
        }
        session.noteEnd(stage == STAGE_PEEKING ? EndReason.PEEK_EOF : EndReason.CLIENT_RESET);
        close();
    }

    @Override
    public void onTick(final long nowNs)
    {
        if (stage != STAGE_PEEKING)
        {
            return;
        }
        final Route serverFirst = state.routes().serverFirstRoute();
        if (!anyBytes && serverFirst != null && nowNs - serverFirstAtNs >= 0)
        {
            counters.increment(Counter.PEEK_SERVER_FIRST);
            session.onDecided(nowNs);
            connect(serverFirst, sourceHash(), null, false);
        }
        else if (nowNs - deadlineNs >= 0)
        {
            counters.increment(Counter.PEEK_TIMEOUT);
            session.noteEnd(EndReason.PEEK_TIMEOUT);
            close();
        }
    }

    @Override
    public void onBackendConnected(final Channel backend, final int backendIndex)
    {
        final Channel client = ctx.channel();
        if (stage != STAGE_CONNECTING || !client.isActive())
        {
            backend.close();
            return;
        }
        stage = STAGE_DONE;
        session.onRelayStarted(worker.nowNs(), backend, backendIndex);
        final ByteBuf first = peeked;
        peeked = null;
        final ByteBuf header = proxyHeaderOut;
        proxyHeaderOut = null;
        ctx.pipeline().remove(this);
        RelayStarter.start(session, state, client, backend, header, first, clientInputDone);
    }

    @Override
    public void onBackendUnavailable()
    {
        counters.increment(Counter.CONNECT_EXHAUSTED);
        session.noteEnd(EndReason.CONNECT_FAILED);
        close();
    }

    @Override
    public void onLocalResourceExhausted()
    {
        session.noteEnd(EndReason.LOCAL_RESOURCE);
        close();
    }

    private PeekStatus parse(final ByteBuf buffer)
    {
        final int readable = buffer.readableBytes();
        final int length = Math.min(readable, state.peekMaxBytes());
        final int readerIndex = buffer.readerIndex();
        if (length >= 3 && buffer.getByte(readerIndex) == 0x16)
        {
            recordMajor = buffer.getUnsignedByte(readerIndex + 1);
            recordMinor = buffer.getUnsignedByte(readerIndex + 2);
        }
        final UnsafeBuffer view = wrap(buffer, length);
        if (ownParser == null && ++parses > SHARED_PARSER_READS)
        {
            ownParser = state.newParser();
        }
        if (ownParser != null)
        {
            parser = ownParser;
        }
        else
        {
            parser = state.parser(worker.index());
            parser.reset();
        }
        PeekStatus status = parser.parse(view, 0, length);
        if (status == PeekStatus.NEED_MORE_DATA && readable >= state.peekMaxBytes())
        {
            status = PeekStatus.TOO_LARGE;
        }
        return status;
    }

    /** Points the loop's peek view at the first {@code length} readable bytes of {@code buffer} (no copy). */
    private UnsafeBuffer wrap(final ByteBuf buffer, final int length)
    {
        final int readerIndex = buffer.readerIndex();
        final UnsafeBuffer view = worker.peekView();
        if (buffer.hasMemoryAddress())
        {
            view.wrap(buffer.memoryAddress() + readerIndex, length);
        }
        else if (buffer.hasArray())
        {
            view.wrap(buffer.array(), buffer.arrayOffset() + readerIndex, length);
        }
        else
        {
            view.wrap(buffer.nioBuffer(readerIndex, length));
        }
        return view;
    }

    private void collect(final ByteBuf in)
    {
        final int length = in.readableBytes();
        if (peeked == null)
        {
            peeked = ctx.alloc().directBuffer(Math.max(INITIAL_COLLECT_BYTES, length));
        }
        else if (peeked.isReadOnly() || peeked.refCnt() != 1 || peeked.maxWritableBytes() < length)
        {
            final ByteBuf grown = ctx.alloc().directBuffer(peeked.readableBytes() + length);
            grown.writeBytes(peeked);
            peeked.release();
            peeked = grown;
        }
        peeked.writeBytes(in);
        in.release();
    }

    private void decide(final PeekStatus status)
    {
        if (session.isLogged())
        {
            recordDecision(status);
        }
        else
        {
            session.onDecided(worker.nowNs());
        }
        final Route defaultRoute = state.routes().defaultRoute();
        switch (status)
        {
            case OK:
            {
                counters.increment(Counter.PEEK_OK);
                final Route named = state.routes().lookup(parser.name(), 0, parser.nameLength(), parser);
                if (named != null)
                {
                    connect(named, hash(named, parser, true), parser, true);
                }
                else
                {
                    routeDefaultOrReject(defaultRoute, parser, true, parser.protocol());
                }
                break;
            }
            case NO_NAME:
                counters.increment(Counter.PEEK_NO_NAME);
                routeDefaultOrReject(defaultRoute, parser, false, parser.protocol());
                break;
            case NOT_RECOGNISED:
                counters.increment(Counter.PEEK_NOT_RECOGNISED);
                routeDefaultOrReject(defaultRoute, parser, false, null);
                break;
            case MALFORMED:
                counters.increment(Counter.PEEK_MALFORMED);
                session.noteEnd(EndReason.PEEK_MALFORMED);
                close();
                break;
            default:
                counters.increment(Counter.PEEK_TOO_LARGE);
                session.noteEnd(EndReason.PEEK_TOO_LARGE);
                close();
                break;
        }
    }

    /**
     * Asks the listener's policy to admit {@code source}; when it does ({@link RejectReason#NONE}), the
     * connection is released on that policy when {@code channel} closes (one listener object per admitted
     * connection). A refusal is already counted by the policy, by reason.
     */
    public static RejectReason admit(final ListenerState state, final InetAddress source, final Channel channel)
    {
        final AdmissionPolicy policy = state.policy();
        final RejectReason reason = policy.admit(source);
        if (reason != RejectReason.NONE)
        {
            return reason;
        }
        channel.closeFuture().addListener(future -> policy.release(source));
        return RejectReason.NONE;
    }

    /** Copies what the access log says about the decision out of the parser (only with an access log). */
    private void recordDecision(final PeekStatus status)
    {
        final PeekProtocol protocol = parser == null ? null : parser.protocol();
        final String protocolText = protocol == null ? null
            : protocol == PeekProtocol.TLS ? "tls" : protocol == PeekProtocol.HTTP1 ? "http1" : "h2c";
        final String name = status == PeekStatus.OK ? parser.name().getStringWithoutLengthAscii(0, parser.nameLength()) : null;
        String alpn = null;
        if (protocol != null && parser.alpnCount() > 0)
        {
            final StringBuilder text = new StringBuilder();
            for (int i = 0; i < parser.alpnCount(); i++)
            {
                text.append(i == 0 ? "" : ",")
                    .append(parser.alpnBuffer().getStringWithoutLengthAscii(parser.alpnOffset(i), parser.alpnLength(i)));
            }
            alpn = text.toString();
        }
        session.onDecided(worker.nowNs(), protocolText, name, alpn);
    }

    private void routeDefaultOrReject(
        final Route defaultRoute, final FirstFlightParser parser, final boolean hasName, final PeekProtocol protocol)
    {
        if (defaultRoute != null)
        {
            connect(defaultRoute, hash(defaultRoute, parser, hasName), protocol != null ? parser : null, hasName);
            return;
        }
        counters.increment(Counter.REJECTED_NO_ROUTE);
        session.noteEnd(EndReason.NO_ROUTE);
        stage = STAGE_DONE;
        releasePeeked();
        final Channel client = ctx.channel();
        if (protocol == PeekProtocol.TLS)
        {
            client.writeAndFlush(RejectResponse.tlsUnrecognizedName(ctx.alloc(), recordMajor, recordMinor))
                .addListener(ChannelFutureListener.CLOSE);
        }
        else if (protocol == PeekProtocol.HTTP1)
        {
            client.writeAndFlush(RejectResponse.http1MisdirectedRequest(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
        }
        else if (protocol == PeekProtocol.H2C)
        {
            client.writeAndFlush(RejectResponse.h2cMisdirectedRequest(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
        }
        else
        {
            client.close();
        }
    }

    private void connect(final Route target, final long hash, final FirstFlightParser flight, final boolean hasName)
    {
        final RejectReason refused = state.policy().admitRoute(target.index(), sourceAddress);
        if (refused != RejectReason.NONE)
        {
            counters.increment(Counter.REJECTED_ACL);
            session.noteEnd(EndReason.rejected(refused));
            close();
            return;
        }
        session.onConnecting(worker.nowNs(), target);
        stage = STAGE_CONNECTING;
        route = target;
        proxyHeaderOut = encodeProxyHeader(target, flight, hasName);
        connector = BackendConnector.connect(session, target, hash, this);
    }

    private long hash(final Route target, final FirstFlightParser parser, final boolean hasName)
    {
        final RouteConfig.HashKey key = target.hashKey();
        if (key == RouteConfig.HashKey.SNI && hasName)
        {
            return Hash.hash(parser.name(), 0, parser.nameLength());
        }
        if (key == RouteConfig.HashKey.FOUR_TUPLE)
        {
            final byte[] to = destination != null ? destination : local.getAddress().getAddress();
            return Hash.mix(Hash.hashAddress(source, sourcePort), Hash.hashAddress(to, destinationPort));
        }
        return sourceHash();
    }

    /**
     * The PROXY header the route wants written before the client's bytes, or {@code null}: v1, or v2 with
     * the routed name as PP2_TYPE_AUTHORITY and, as PP2_TYPE_ALPN, the first protocol the client offered
     * that the route's ALPN condition accepts (any offered one when the route has no condition). Encoded
     * at routing time, while the parser's views are valid.
     */
    private ByteBuf encodeProxyHeader(final Route target, final FirstFlightParser flight, final boolean hasName)
    {
        final RouteConfig.ProxyProtocolOut version = target.proxyProtocol();
        if (version == RouteConfig.ProxyProtocolOut.NONE)
        {
            return null;
        }
        final ProxyHeaderEncoder encoder = worker.proxyEncoder().reset().source(source, sourcePort);
        if (destination != null)
        {
            encoder.destination(destination, destinationPort);
        }
        else
        {
            encoder.destination(local);
        }
        if (version == RouteConfig.ProxyProtocolOut.V2 && flight != null)
        {
            if (hasName)
            {
                encoder.authority(flight.name(), 0, flight.nameLength());
            }
            final int alpn = chosenAlpn(target, flight);
            if (alpn >= 0)
            {
                encoder.alpn(flight.alpnBuffer(), flight.alpnOffset(alpn), flight.alpnLength(alpn));
            }
        }
        final int capacity = version == RouteConfig.ProxyProtocolOut.V1 ? PROXY_V1_MAX_BYTES : encoder.encodedLengthV2();
        final ByteBuf header = ctx.alloc().heapBuffer(Math.max(capacity, 1));
        final UnsafeBuffer view = worker.scratchView();
        view.wrap(header.array(), header.arrayOffset(), header.capacity());
        final int written = version == RouteConfig.ProxyProtocolOut.V1
            ? encoder.encodeV1(view, 0, header.capacity())
            : encoder.encodeV2(view, 0, header.capacity());
        if (written < 0)
        {
            header.release();
            return null;
        }
        return header.writerIndex(written);
    }

    private static int chosenAlpn(final Route target, final FirstFlightParser flight)
    {
        for (int i = 0, count = flight.alpnCount(); i < count; i++)
        {
            if (!target.hasAlpnCondition())
            {
                return i;
            }
            for (int r = 0; r < target.alpnCount(); r++)
            {
                final byte[] wanted = target.alpn(r);
                if (wanted.length == flight.alpnLength(i) && sameBytes(wanted, flight, i))
                {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean sameBytes(final byte[] wanted, final FirstFlightParser flight, final int index)
    {
        final int offset = flight.alpnOffset(index);
        for (int i = 0; i < wanted.length; i++)
        {
            if (flight.alpnBuffer().getByte(offset + i) != wanted[i])
            {
                return false;
            }
        }
        return true;
    }

    private long sourceHash()
    {
        return Hash.hashAddress(source, 0);
    }

    private void close()
    {
        stage = STAGE_DONE;
        releasePeeked();
        ctx.close();
    }

    private void releasePeeked()
    {
        if (peeked != null)
        {
            peeked.release();
            peeked = null;
        }
        if (proxyHeaderOut != null)
        {
            proxyHeaderOut.release();
            proxyHeaderOut = null;
        }
    }
}
