package io.gatehouse.router.sequence;

import io.gatehouse.router.connect.BackendConnector;
import io.gatehouse.router.connect.ConnectOutcome;
import io.gatehouse.router.relay.RawBackendSocket;
import io.gatehouse.router.dispatch.Decision;
import io.gatehouse.router.dispatch.Dispatch;
import io.gatehouse.router.dispatch.ProxyHeaderOut;
import io.gatehouse.router.dispatch.RejectResponse;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.metrics.WorkerCounters;
import io.gatehouse.router.peek.Peek;
import io.gatehouse.router.peek.PeekResult;
import io.gatehouse.router.policy.AdmissionPolicy;
import io.gatehouse.router.policy.RejectReason;
import io.gatehouse.router.proxy.ClientAddress;
import io.gatehouse.router.proxy.ProxyIn;
import io.gatehouse.router.relay.RelayStarter;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.router.session.ClientEnd;
import io.gatehouse.router.session.ClientEvents;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.session.SessionStage;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekProtocol;
import io.gatehouse.sni.PeekStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The order of one client's stages from accept to relay, and the bytes between them. Each stage returns a
 * result and calls nothing after itself; this runs them in order and writes each result to the
 * connection's {@link Session}. It hears the client through {@link ClientEvents} from its {@link ClientEnd}
 * (a channel's pipeline handler, {@link ChannelClientEnd}, or on epoll the channel-less
 * {@link io.gatehouse.router.relay.RawClientSocket}) and asks it for reads, replies and closes; what it
 * decides is the same for both:
 * <ol>
 * <li>PROXY-in ({@link ProxyIn}): from a trusted source, the header (then admission on the client it
 * names); from every source, the PROXY-signature screen;</li>
 * <li>peek ({@link Peek}): bytes to a {@link PeekResult};</li>
 * <li>dispatch ({@link Dispatch}): the result to a {@link Decision}: a route and hash key, a reject (its
 * bytes from {@link RejectResponse}) or a close; a route's PROXY header ({@link ProxyHeaderOut});</li>
 * <li>connect ({@link BackendConnector}, reporting back through {@link ConnectOutcome});</li>
 * <li>relay ({@link RelayStarter}, through {@link ClientEnd#startRelay}), which takes both sockets.</li>
 * </ol>
 *
 * <p>Stages of the connection: PEEKING (reading one {@link ClientEnd#readMore()} at a time, until
 * the peek decides, the byte bound is reached, the peek deadline passes, or, for a listener with a
 * server-first route, the client stays silent for the server-first delay), CONNECTING (the client is not
 * read; bytes that still arrive are kept for the backend, and screened when the server-first delay routed
 * the client before it sent any; {@link LateScreen} screens them past the relay start: a channel's
 * pipeline only, so a listener with a server-first route gives its clients channels), DONE. Timeout,
 * client EOF or reset while peeking: close (counted {@code peek_timeout} / {@code peek_eof}).
 *
 * <p>The first read is peeked in place (an {@link UnsafeBuffer} view over the read buffer's memory); only
 * when it does not decide are the bytes collected into one buffer owned by this sequencer. Whatever was
 * read (after a trusted PROXY header) is written to the backend unchanged before the relay starts (after
 * the route's PROXY header, if any).
 *
 * <p>Thread: the client's event loop. Not thread-safe. Allocates per connection itself, its
 * {@link ClientAddress}, {@link Peek} (with its result) and {@link Decision}; per read nothing, except the
 * collecting buffer when the first read did not decide.
 */
public final class Sequencer implements ClientEvents, ConnectOutcome, SessionStage
{
    private static final int INITIAL_COLLECT_BYTES = 2048;
    private static final int STAGE_PEEKING = 0;
    private static final int STAGE_CONNECTING = 1;
    private static final int STAGE_DONE = 2;

    private final Worker worker;
    private final WorkerCounters counters;
    private final ListenerState state;
    private final Session session;
    private final ClientAddress client;
    private final ProxyIn proxyIn;
    private final Peek peek;
    private final Decision decision = new Decision();
    private boolean proxyHeaderExpected;
    /** The bytes so far were screened and start with no PROXY signature. */
    private boolean screened;
    private ByteBuf proxyHeaderOut;
    private final ClientEnd end;
    private ByteBuf peeked;
    private int stage = STAGE_PEEKING;
    private boolean anyBytes;
    private boolean clientInputDone;
    private long deadlineNs;
    private long serverFirstAtNs;
    private BackendConnector connector;

    /**
     * @param source the TCP peer's address bytes.
     * @param end    the client's socket, which reports to this.
     */
    public Sequencer(final Session session, final byte[] source, final ClientEnd end)
    {
        this.session = session;
        this.end = end;
        this.worker = session.worker();
        this.counters = worker.counters();
        this.state = session.listener();
        this.client = new ClientAddress(source, session.clientAddress(), session.localAddress());
        this.proxyHeaderExpected = state.trustsProxyHeaderFrom(source);
        this.proxyIn = proxyHeaderExpected ? new ProxyIn(worker.proxyParser()) : null;
        this.peek = new Peek(state, worker.index());
    }

    /**
     * Asks the listener's policy to admit {@code source}; when it does ({@link RejectReason#NONE}), the
     * session releases it on that policy when its client channel closes ({@link Session#onAdmitted}). A
     * refusal is already counted by the policy, by reason.
     */
    public static RejectReason admit(final ListenerState state, final InetAddress source, final Session session)
    {
        final AdmissionPolicy policy = state.policy();
        final RejectReason reason = policy.admit(source);
        if (reason != RejectReason.NONE)
        {
            return reason;
        }
        session.onAdmitted(policy, source);
        return RejectReason.NONE;
    }

    @Override
    public void onStart()
    {
        final long nowNs = worker.nowNs();
        deadlineNs = nowNs + state.peekTimeoutNs();
        serverFirstAtNs = nowNs + state.serverFirstDelayNs();
        session.onPeeking(this);
        end.readMore();
    }

    /** The end's handler left the client's pipeline (the relay started, or the channel closed). */
    void onRemoved()
    {
        releasePeeked();
    }

    @Override
    public void onRead(final ByteBuf in)
    {
        if (stage == STAGE_DONE)
        {
            in.release();
            return;
        }
        anyBytes = true;
        if (stage == STAGE_CONNECTING)
        {
            collect(in);
            if (!screened)
            {
                screen(peeked);
            }
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
                peekAt(peeked);
                return;
            }
        }
        if (peeked == null && (in.hasMemoryAddress() || in.hasArray()))
        {
            final PeekResult result = peek(in);
            if (result.status() == PeekStatus.NEED_MORE_DATA)
            {
                collect(in);
            }
            else
            {
                peeked = in;
                onPeeked(result);
            }
            return;
        }
        collect(in);
        peekAt(peeked);
    }

    @Override
    public void onReadComplete()
    {
        if (stage == STAGE_PEEKING && !clientInputDone)
        {
            end.readMore();
        }
    }

    @Override
    public void onInputShutdown()
    {
        clientInputDone = true;
        if (stage == STAGE_PEEKING)
        {
            counters.increment(Counter.PEEK_EOF);
            session.noteEnd(EndReason.PEEK_EOF);
            close();
        }
    }

    @Override
    public void onClosed()
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
    public void onError()
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
        if (stage == STAGE_CONNECTING)
        {
            if (connector != null)
            {
                connector.onTick(nowNs); // the connect timeout
            }
            return;
        }
        if (stage != STAGE_PEEKING)
        {
            return;
        }
        final Decision serverFirst = !anyBytes && nowNs - serverFirstAtNs >= 0 ? Dispatch.serverFirst(state, client, decision) : null;
        if (serverFirst != null)
        {
            session.onDecided(nowNs);
            act(serverFirst);
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
        relay(backend, null, backendIndex);
    }

    @Override
    public void onBackendConnected(final RawBackendSocket backend, final int backendIndex)
    {
        relay(null, backend, backendIndex);
    }

    /** A backend connected: the relay takes both sockets (the backend's a channel, or a raw socket). */
    private void relay(final Channel backend, final RawBackendSocket rawBackend, final int backendIndex)
    {
        if (stage != STAGE_CONNECTING || !end.isOpen())
        {
            if (backend != null)
            {
                backend.close();
            }
            else
            {
                rawBackend.close();
            }
            return;
        }
        stage = STAGE_DONE;
        if (backend != null)
        {
            session.onRelayStarted(worker.nowNs(), backend, backendIndex);
        }
        else
        {
            session.onRelayStarted(worker.nowNs(), rawBackend, backendIndex);
        }
        final ByteBuf first = peeked;
        peeked = null;
        final ByteBuf header = proxyHeaderOut;
        proxyHeaderOut = null;
        end.startRelay(session, state, backend, rawBackend, header, first, screened, clientInputDone);
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

    /**
     * PROXY-in, screening: all bytes so far (every listener, every untrusted source, and again after a
     * trusted header). True when they start with no signature and the peek may go on; false when they are
     * a prefix of one (wait for more) or the connection was refused for carrying one.
     */
    private boolean screen(final ByteBuf all)
    {
        final int readable = all.readableBytes();
        final ProxyIn.Screen screen = ProxyIn.screen(wrap(all, readable), 0, readable, state.peekMaxBytes());
        if (screen == ProxyIn.Screen.CLEAN)
        {
            screened = true;
            return true;
        }
        if (screen == ProxyIn.Screen.REFUSED)
        {
            counters.increment(Counter.REJECTED_PROXY_HEADER);
            session.noteEnd(EndReason.REJECTED_PROXY_HEADER);
            if (stage == STAGE_CONNECTING && connector != null)
            {
                connector.abort();
            }
            if (all == peeked)
            {
                close();
            }
            else
            {
                stage = STAGE_DONE;
                releasePeeked();
                end.close();
            }
        }
        return false;
    }

    /**
     * PROXY-in, a trusted source's header over all bytes so far: then admission on the client it names,
     * and the peek at what follows (the header is not sent on).
     */
    private void onProxyHeaderBytes()
    {
        final int readable = peeked.readableBytes();
        final ProxyIn.Status status = proxyIn.read(wrap(peeked, readable), 0, readable, client);
        if (status == ProxyIn.Status.NEED_MORE_DATA)
        {
            return;
        }
        if (status == ProxyIn.Status.REFUSED)
        {
            counters.increment(Counter.REJECTED_PROXY_HEADER);
            session.noteEnd(EndReason.REJECTED_PROXY_HEADER);
            close();
            return;
        }
        proxyHeaderExpected = false;
        peeked.skipBytes(proxyIn.headerLength());
        session.onClientAddress(new InetSocketAddress(client.sourceAddress(), client.sourcePort()));
        final RejectReason refused = admit(state, client.sourceAddress(), session);
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
            peekAt(peeked);
        }
    }

    /** Peeks at the collected bytes and, once the peek decides, dispatches. */
    private void peekAt(final ByteBuf collected)
    {
        final PeekResult result = peek(collected);
        if (result.status() != PeekStatus.NEED_MORE_DATA)
        {
            onPeeked(result);
        }
    }

    private PeekResult peek(final ByteBuf bytes)
    {
        final int readable = bytes.readableBytes();
        return peek.peek(wrap(bytes, readable), 0, readable);
    }

    /** The peek decided: to the session, then dispatch, then act on the decision. */
    private void onPeeked(final PeekResult result)
    {
        if (session.isLogged())
        {
            recordDecision(result);
        }
        else
        {
            session.onDecided(worker.nowNs());
        }
        act(Dispatch.decide(result, state, client, decision));
    }

    private void act(final Decision decided)
    {
        counters.increment(decided.outcome());
        switch (decided.action())
        {
            case ROUTE:
                connect(decided);
                break;
            case REJECT:
            {
                counters.increment(decided.refusal());
                session.noteEnd(decided.endReason());
                stage = STAGE_DONE;
                releasePeeked();
                final PeekResult result = peek.result();
                final ByteBuf bytes = RejectResponse.forProtocol(
                    end.alloc(), decided.rejectProtocol(), result.recordMajor(), result.recordMinor());
                if (bytes != null)
                {
                    end.replyAndClose(bytes);
                }
                else
                {
                    end.close();
                }
                break;
            }
            default:
                if (decided.refusal() != null)
                {
                    counters.increment(decided.refusal());
                }
                session.noteEnd(decided.endReason());
                close();
                break;
        }
    }

    private void connect(final Decision decided)
    {
        session.onConnecting(worker.nowNs(), decided.route());
        stage = STAGE_CONNECTING;
        proxyHeaderOut = ProxyHeaderOut.encode(
            decided.route(), decided.flight(), client, worker.proxyEncoder(), worker.scratchView(), end.alloc());
        // A raw (channel-less) backend socket where the relay will run on raw sockets: on epoll, unless the
        // client's bytes still have to pass the late screen in front of a copy relay (screened and
        // clientInputDone only ever turn true, so what holds now holds when the backend connects).
        connector = BackendConnector.connect(session, decided.route(), decided.hash(), this, screened || clientInputDone);
    }

    /** Copies what the access log says about the peek out of the parser (only with an access log). */
    private void recordDecision(final PeekResult result)
    {
        final FirstFlightParser parser = result.flight();
        final PeekProtocol protocol = result.protocol();
        final String protocolText = protocol == null ? null
            : protocol == PeekProtocol.TLS ? "tls" : protocol == PeekProtocol.HTTP1 ? "http1" : "h2c";
        final String name = result.hasName() ? parser.name().getStringWithoutLengthAscii(0, parser.nameLength()) : null;
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

    /** Points the loop's peek view at the first {@code length} readable bytes of {@code buffer} (no copy). */
    private UnsafeBuffer wrap(final ByteBuf buffer, final int length)
    {
        return wrap(worker.peekView(), buffer, length);
    }

    /** Points {@code view} at the first {@code length} readable bytes of {@code buffer}: no copy, no allocation. */
    static UnsafeBuffer wrap(final UnsafeBuffer view, final ByteBuf buffer, final int length)
    {
        final int readerIndex = buffer.readerIndex();
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
            peeked = end.alloc().directBuffer(Math.max(INITIAL_COLLECT_BYTES, length));
        }
        else if (peeked.isReadOnly() || peeked.refCnt() != 1 || peeked.maxWritableBytes() < length)
        {
            final ByteBuf grown = end.alloc().directBuffer(peeked.readableBytes() + length);
            grown.writeBytes(peeked);
            peeked.release();
            peeked = grown;
        }
        peeked.writeBytes(in);
        in.release();
    }

    private void close()
    {
        stage = STAGE_DONE;
        releasePeeked();
        end.close();
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
