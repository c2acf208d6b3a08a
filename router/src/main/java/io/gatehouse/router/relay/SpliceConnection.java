package io.gatehouse.router.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.Native;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.TimeUnit;

/**
 * One client/backend pair relayed on raw file descriptors: takes both sockets over from Netty, runs the
 * two {@link RawDirection}s off epoll readiness (spliced through pipes, or copied through pooled
 * buffers for {@code relay: copy} on epoll), and closes both sockets exactly once.
 *
 * <p>Edge-triggered: both sockets have one interest set ({@link SpliceSocketHandle#EDGES}) from their
 * registration to their close, and each handle remembers what epoll last said of it (readable, writable,
 * hung up) until a read or write says EAGAIN or comes back short. On every event each way moves when what
 * it waits for is there; a way stopped at its read budget goes on after the batch. So no epoll_ctl is made
 * after the two ADDs: none when the relay adopts a channel-less socket, none for backpressure, none when a
 * way ends (nginx stream's two per connection).
 *
 * <p>Start-up, in order, so that no byte is reordered or lost: auto-read off on both channels; wait
 * until every write Netty still queues on either channel has reached its socket; deregister both
 * channels from Netty's epoll; register a {@link SpliceSocketHandle} for each fd on the same loop.
 * From then on only this class touches the fds, until it deregisters them and closes the channels.
 * A socket that never had a channel (the client's {@link RawClientSocket}, the backend's
 * {@link RawBackendSocket}) skips the flush, the deregistration and the registration: its handle,
 * registered while it was peeked at or connected, is adopted as it is. The first flight
 * (the route's PROXY header and the client's peeked bytes) is the client-to-backend direction's first
 * held bytes ({@link RawDirection#preload}): sent as the relay starts, before any byte read from the
 * client, under the same backpressure and reset rules.
 *
 * <p>Every live connection is on its {@link SpliceLoop}'s list, which closes it if the loop ends without
 * closing its registrations.
 *
 * <p>Event loop thread only (the one loop both channels live on); not thread-safe. Allocates at start
 * (this object, its handles and directions, a few Netty futures) and one timer task per idle-timeout
 * period; nothing per byte or per event.
 */
final class SpliceConnection implements FutureListener<Object>, Runnable
{
    static final String CLIENT_EOF = "client_eof";
    static final String BACKEND_EOF = "backend_eof";
    static final String RESET = "reset";
    static final String CLIENT_RESET = "client_reset";
    static final String BACKEND_RESET = "backend_reset";
    static final String IDLE = "idle";
    static final String HALF_CLOSED = "half_closed";
    static final String CLOSED = "closed";
    static final String SHUTDOWN = "shutdown";
    static final String ERROR = "error";

    private static final int FLUSHING = 0;
    private static final int DEREGISTERING = 1;
    private static final int REGISTERING = 2;
    private static final int RUNNING = 3;
    private static final int FINISHED = 4;

    private final IoEventLoop loop;
    private final SpliceSocketHandle clientEnd;
    private final SpliceSocketHandle backendEnd;
    private final RawDirection clientToBackend;
    private final RawDirection backendToClient;
    private final long idleTimeoutNs;
    private final long halfClosedTimeoutNs;
    private final NanoClock clock;
    private final RelayObserver observer;
    private final SpliceLoop spliceLoop;
    SpliceConnection previousLive;
    SpliceConnection nextLive;
    /** {@link SpliceLoop}'s list of connections that go on after the batch. */
    SpliceConnection nextResume;
    private boolean resumeQueued;
    /** Volatile only so tests may read it from their own thread; written rarely, on the loop. */
    private volatile int phase = FLUSHING;
    private int pendingSteps;
    private long lastActivityNs;
    private long bytesAtLastActivity;
    private ScheduledFuture<?> idleTimer;
    private String firstEof;
    private SpliceSocketHandle resetEnd;
    /** The first end event: {@link #CLIENT_EOF}, {@link #BACKEND_EOF}, {@link #CLIENT_RESET}, {@link #BACKEND_RESET}. */
    private String firstEnd;
    private String closeReason;
    private volatile int idleChecks;
    /** In {@link #onReady}: an end found now closes the sockets after the epoll batch ({@link SpliceLoop#closeAfterBatch}). */
    private boolean handlingEvent;

    /**
     * @param client     the client's channel, or {@code null} with {@code rawClient}.
     * @param rawClient  the client's channel-less socket, or {@code null} with {@code client}.
     * @param backend    the backend's channel, or {@code null} with {@code rawBackend}.
     * @param rawBackend the connected channel-less backend socket, or {@code null} with {@code backend}.
     * @param first      bytes for the backend ahead of the client's (direct, one piece), or {@code null};
     *                   ownership passes here.
     */
    SpliceConnection(
        final Channel client,
        final RawClientSocket rawClient,
        final Channel backend,
        final RawBackendSocket rawBackend,
        final ByteBuf first,
        final long idleTimeoutNs,
        final long halfClosedTimeoutNs,
        final NanoClock clock,
        final RelayObserver observer,
        final boolean copy)
    {
        this.loop = (IoEventLoop)(client != null ? client.eventLoop() : rawClient.loop());
        this.idleTimeoutNs = idleTimeoutNs;
        this.halfClosedTimeoutNs = idleTimeoutNs > 0 && halfClosedTimeoutNs > 0
            ? Math.min(idleTimeoutNs, halfClosedTimeoutNs) : Math.max(idleTimeoutNs, halfClosedTimeoutNs);
        this.clock = clock;
        this.observer = observer;
        spliceLoop = SpliceLoop.current();
        clientEnd = endOf(client, rawClient);
        backendEnd = endOf(backend, rawBackend);
        clientToBackend = copy ? new BufferDirection(clientEnd, backendEnd, spliceLoop)
            : new SpliceDirection(clientEnd, backendEnd, spliceLoop);
        backendToClient = copy ? new BufferDirection(backendEnd, clientEnd, spliceLoop)
            : new SpliceDirection(backendEnd, clientEnd, spliceLoop);
        clientToBackend.pairWith(backendToClient);
        backendToClient.pairWith(clientToBackend);
        if (first != null)
        {
            clientToBackend.preload(first);
        }
    }

    /** The end's handle: a channel-less socket's own, adopted as it is, or a new one for a channel's fd. */
    private SpliceSocketHandle endOf(final Channel channel, final RawSocket raw)
    {
        if (raw == null)
        {
            return new SpliceSocketHandle(this, channel);
        }
        final SpliceSocketHandle adopted = raw.handle();
        adopted.adopt(this);
        return adopted;
    }

    /** Null while running; then why it closed. */
    String closeReason()
    {
        return closeReason;
    }

    boolean isRunning()
    {
        return phase == RUNNING;
    }

    /** Times the idle timer ran (tests wait on it instead of on the wall clock). */
    int idleChecks()
    {
        return idleChecks;
    }

    /** recv(2) fallbacks taken, both ways (non-zero only after TCP urgent data). */
    long fallbackReads()
    {
        return clientToBackend.fallbackReads() + backendToClient.fallbackReads();
    }

    /** A side reset the relay's writes to it; what it sent before its FIN is still relayed. */
    boolean sawSinkReset()
    {
        return clientToBackend.isDiscarding() || backendToClient.isDiscarding();
    }

    int directionState(final boolean clientToBackendWay)
    {
        return clientToBackendWay ? clientToBackend.state() : backendToClient.state();
    }

    void begin()
    {
        lastActivityNs = clock.nanoTime();
        stopAutoRead(clientEnd.channel());
        stopAutoRead(backendEnd.channel());
        if (!clientEnd.isReadyForRelay() || !backendEnd.isReadyForRelay())
        {
            finish(CLOSED, false);
            return;
        }
        spliceLoop.add(this);
        listenForClose(clientEnd.channel());
        listenForClose(backendEnd.channel());
        if (idleTimeoutNs > 0)
        {
            idleTimer = loop.schedule(this, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }
        pendingSteps = 1;
        flushQueuedWrites(clientEnd.channel());
        flushQueuedWrites(backendEnd.channel());
        stepDone();
    }

    private static void stopAutoRead(final Channel channel)
    {
        if (channel != null)
        {
            channel.config().setAutoRead(false);
        }
    }

    private void listenForClose(final Channel channel)
    {
        if (channel != null)
        {
            channel.closeFuture().addListener(this);
        }
    }

    /** A channel end's writes still queued in Netty: one more step, done when they have all reached its socket. */
    private void flushQueuedWrites(final Channel channel)
    {
        final ChannelOutboundBuffer queued = channel == null ? null : channel.unsafe().outboundBuffer();
        if (queued != null && !queued.isEmpty())
        {
            // Completes after every write queued before it: then the socket holds them all, in order.
            pendingSteps++;
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(this);
        }
    }

    @Override
    public void operationComplete(final Future<Object> future)
    {
        if (phase == FINISHED)
        {
            return;
        }
        final Object completed = future;
        if (isCloseFutureOf(clientEnd, completed) || isCloseFutureOf(backendEnd, completed))
        {
            finish(CLOSED, false);
        }
        else if (!future.isSuccess())
        {
            if (resetEnd == null)
            {
                resetEnd = ((Object)future) instanceof io.netty.channel.ChannelFuture
                    && ((io.netty.channel.ChannelFuture)(Object)future).channel() == clientEnd.channel() ? clientEnd : backendEnd;
            }
            finish(RESET, true);
        }
        else
        {
            stepDone();
        }
    }

    private static boolean isCloseFutureOf(final SpliceSocketHandle end, final Object completed)
    {
        return end.channel() != null && completed == end.channel().closeFuture();
    }

    /** A channel end leaves Netty's epoll (one more step); a channel-less one is registered already. */
    private void deregisterChannel(final SpliceSocketHandle end)
    {
        if (end.channel() != null)
        {
            pendingSteps++;
            end.channel().deregister().addListener(this);
        }
    }

    /** A channel end's fd is registered under its relay handle (one more step); a channel-less one is already. */
    private void registerChannelEnd(final SpliceSocketHandle end)
    {
        if (end.channel() != null)
        {
            pendingSteps++;
            loop.register(end).addListener(end);
        }
    }

    void onRegistered(final SpliceSocketHandle end)
    {
        if (phase == FINISHED)
        {
            end.deregister();
            return;
        }
        stepDone();
    }

    void onStartFailed()
    {
        finish(ERROR, true);
    }

    private void stepDone()
    {
        if (--pendingSteps > 0 || phase == FINISHED)
        {
            return;
        }
        pendingSteps = 1;
        switch (phase)
        {
            case FLUSHING:
                phase = DEREGISTERING;
                deregisterChannel(clientEnd);
                deregisterChannel(backendEnd);
                break;

            case DEREGISTERING:
                if (!clientEnd.isOpen() || !backendEnd.isOpen())
                {
                    finish(CLOSED, false);
                    return;
                }
                phase = REGISTERING;
                registerChannelEnd(clientEnd);
                registerChannelEnd(backendEnd);
                break;

            case REGISTERING:
                phase = RUNNING;
                // A channel-less socket has had this interest since its registration (no epoll_ctl now); a
                // channel's fd is added with it here, and epoll reports at once what is ready.
                clientEnd.interest(SpliceSocketHandle.EDGES);
                backendEnd.interest(SpliceSocketHandle.EDGES);
                // What the handles already heard moves now: the first flight (the backend said writable as it
                // connected), a client's bytes or FIN that arrived while its backend connected.
                onReady(backendEnd, 0);
                return;

            default:
                throw new IllegalStateException("phase " + phase);
        }
        stepDone();
    }

    void onReady(final SpliceSocketHandle end, final int readyOps)
    {
        if (phase != RUNNING)
        {
            return;
        }
        handlingEvent = true;
        try
        {
            onReadyRunning(end, readyOps);
        }
        finally
        {
            handlingEvent = false;
        }
    }

    private void onReadyRunning(final SpliceSocketHandle end, final int readyOps)
    {
        final RawDirection into = end == clientEnd ? backendToClient : clientToBackend;
        boolean going; // false once a socket was found reset in a way that needs deliverAfterReset's rule
        try
        {
            if (!clientEnd.isOpen() || !backendEnd.isOpen())
            {
                finish(CLOSED, false);
                return;
            }
            if ((readyOps & Native.EPOLLERR) != 0 ||
                ((readyOps & SpliceSocketHandle.EPOLLHUP) != 0 && !into.isSinkShut()))
            {
                // This socket was reset (HUP although we never shut its output, or an error). Nothing
                // more can be written to it, but what it sent before a FIN is queued and still goes
                // out: reading it on ends in end of stream after a FIN, or in ECONNRESET (-> reset)
                // when it never sent one.
                if (resetEnd == null)
                {
                    resetEnd = end;
                }
                if (firstEnd == null)
                {
                    firstEnd = end == clientEnd ? CLIENT_RESET : BACKEND_RESET;
                }
                into.abandonSink();
                going = onSinkReset(into);
            }
            else
            {
                // Edge-triggered: the handles hold what epoll said (this event's and every one before it).
                going = move(clientToBackend) && move(backendToClient);
            }
        }
        catch (final IOException | NotYetConnectedException hostFault)
        {
            going = false; // a pipe's fault: aborted as a reset is, by the rule below
        }
        catch (final RuntimeException ex)
        {
            finish(ERROR, true);
            throw ex;
        }
        if (!going && !deliverAfterReset(end))
        {
            return;
        }

        if (firstEof == null)
        {
            firstEof = clientToBackend.hasSourceEnded() ? CLIENT_EOF :
                backendToClient.hasSourceEnded() ? BACKEND_EOF : null;
            if (firstEof != null && halfClosedTimeoutNs > 0 && halfClosedTimeoutNs != idleTimeoutNs)
            {
                // half-closed from now: the timer must fire by the shorter bound
                if (idleTimer != null)
                {
                    idleTimer.cancel(false);
                }
                idleTimer = loop.schedule(this, halfClosedTimeoutNs, TimeUnit.NANOSECONDS);
            }
        }
        if (firstEnd == null && firstEof != null)
        {
            // A read finds end of stream after a reset behind data too. When epoll reported that side's FIN
            // alone (EPOLLRDHUP, no EPOLLHUP/EPOLLERR: a reset's event carries both) it was the FIN; otherwise
            // TCP_INFO's state says which (one getsockopt per connection fewer where the FIN was heard).
            final boolean fromClient = firstEof == CLIENT_EOF;
            final SpliceSocketHandle ended = fromClient ? clientEnd : backendEnd;
            firstEnd = ended.heardFinAlone() || ended.tcpState() != TcpState.TCP_CLOSE ? firstEof
                : fromClient ? CLIENT_RESET : BACKEND_RESET;
        }
        if (clientToBackend.isDone() && backendToClient.isDone())
        {
            finish(sawSinkReset() ? RESET : firstEof, false);
            return;
        }
        if (idleTimer != null)
        {
            // Only the relay's own timer needs the time of the last byte; under the router the worker's
            // tick compares byte counts instead (SpliceStage), with no clock read per event.
            final long bytes = bytesMoved();
            if (bytes != bytesAtLastActivity)
            {
                bytesAtLastActivity = bytes;
                lastActivityNs = clock.nanoTime();
            }
        }
        if (clientToBackend.state() == RawDirection.YIELDED || backendToClient.state() == RawDirection.YIELDED)
        {
            resumeAfterBatch();
        }
    }

    /**
     * Pumps {@code direction} when what it waits for is there: its source readable, or its sink writable.
     *
     * @return false when a socket was found reset so that {@link #deliverAfterReset} must decide what follows.
     */
    private boolean move(final RawDirection direction) throws IOException
    {
        if (direction.wantsSourceReadable() ? direction.source.readable : direction.wantsSinkWritable() && direction.sink.writable)
        {
            return pump(direction, direction.source.readable);
        }
        return true;
    }

    /**
     * A way stopped at its budget with its source still readable: no edge will say so again, so it goes on
     * once the loop has handed out the rest of this batch (other connections first).
     */
    private void resumeAfterBatch()
    {
        if (!resumeQueued)
        {
            resumeQueued = true;
            spliceLoop.resumeAfterBatch(this, loop);
        }
    }

    /** After the epoll batch ({@link SpliceLoop#resumeAfterBatch}): the ways that yielded move on. */
    void resume()
    {
        resumeQueued = false;
        onReady(clientEnd, 0);
    }

    /**
     * A read failed: its socket was reset. When the other side had already sent its FIN (it said all it
     * had to say: a client that half-closed after its request, a backend after its answer), what the
     * reset side sent before is delivered and then both close plainly, as {@link CopyRelay} does: a
     * complete answer followed by the server's RST must not end in a reset at the client (curl would
     * fail it). Otherwise the stream was cut mid-way and the other side is reset too, so that it cannot
     * take a truncated stream for a whole one.
     *
     * @return true when the relay goes on (flushing towards the other side), false when it finished.
     */
    private boolean deliverAfterReset(final SpliceSocketHandle end)
    {
        if (clientToBackend.isDone() && backendToClient.isDone())
        {
            // Both ways had ended (every byte and both FINs delivered) before the reset was seen: an RST
            // now would protect nothing and cost two setsockopt calls. Under wrk 'Connection: close' this
            // is nearly every connection (the client closes with the server's close_notify unread).
            if (resetEnd == null)
            {
                resetEnd = end;
            }
            finish(RESET, false);
            return false;
        }
        final RawDirection reset = clientToBackend.isSourceReset() ? clientToBackend
            : backendToClient.isSourceReset() ? backendToClient : null;
        final SpliceSocketHandle resetSide = reset == null ? end : reset == clientToBackend ? clientEnd : backendEnd;
        if (resetEnd == null)
        {
            resetEnd = resetSide;
        }
        final RawDirection toward = reset == clientToBackend ? backendToClient : clientToBackend;
        if (reset == null || reset.isDiscarding() || !toward.hasSourceEnded())
        {
            finish(RESET, true);
            return false;
        }
        if (firstEnd == null)
        {
            firstEnd = resetSide == clientEnd ? CLIENT_RESET : BACKEND_RESET;
        }
        toward.abandonSink();
        reset.endAtReset();
        boolean flushed;
        try
        {
            flushed = pump(reset, false);
        }
        catch (final IOException | NotYetConnectedException cannotFlush)
        {
            flushed = false;
        }
        if (!flushed)
        {
            finish(RESET, true);
            return false;
        }
        return true;
    }

    /** @return false when a socket was found reset so that {@link #deliverAfterReset} must decide what follows. */
    private boolean pump(final RawDirection direction, final boolean sourceReadable) throws IOException
    {
        if (direction.pump(sourceReadable) == RawDirection.SOURCE_FAILED)
        {
            return false;
        }
        if (direction.takeSinkFailure())
        {
            // A write to this direction's sink failed: that side reset.
            final SpliceSocketHandle sinkEnd = direction == clientToBackend ? backendEnd : clientEnd;
            if (resetEnd == null)
            {
                resetEnd = sinkEnd;
            }
            if (firstEnd == null)
            {
                firstEnd = sinkEnd == clientEnd ? CLIENT_RESET : BACKEND_RESET;
            }
            return onSinkReset(direction);
        }
        return true;
    }

    /**
     * {@code abandoned}'s sink socket was reset: relay what that socket sent before its FIN the other
     * way (the read ends in end of stream, or in ECONNRESET when it sent no FIN).
     *
     * @return false when the other side turns out to be reset too (its read or a write to it failed), an
     *         outcome as common as a client closing with data unread: {@link #deliverAfterReset} decides.
     */
    private boolean onSinkReset(final RawDirection abandoned) throws IOException
    {
        final RawDirection reverse = abandoned == clientToBackend ? backendToClient : clientToBackend;
        if (reverse.isDone())
        {
            // That way already carried its last byte and its FIN: nothing is left to deliver or to lose.
            return true;
        }
        if (reverse.isDiscarding())
        {
            return false;
        }
        reverse.onSourceHungUp();
        if (reverse.wantsSourceReadable() && reverse.pump(true) == RawDirection.SOURCE_FAILED)
        {
            return false;
        }
        return !reverse.takeSinkFailure();
    }

    /** Idle timer. */
    @Override
    public void run()
    {
        if (phase == FINISHED)
        {
            return;
        }
        idleChecks++;
        final boolean halfClosed = halfClosedTimeoutNs > 0 && isHalfClosed();
        final long boundNs = halfClosed ? halfClosedTimeoutNs : idleTimeoutNs;
        if (boundNs <= 0)
        {
            idleTimer = null;
            return;
        }
        final long idleNs = clock.nanoTime() - lastActivityNs;
        if (idleNs - boundNs >= 0)
        {
            finish(halfClosed ? HALF_CLOSED : IDLE, false);
        }
        else
        {
            idleTimer = loop.schedule(this, boundNs - idleNs, TimeUnit.NANOSECONDS);
        }
    }

    /** Bytes written both ways so far. */
    long bytesMoved()
    {
        return clientToBackend.bytesWritten() + backendToClient.bytesWritten();
    }

    /** One direction has ended, or a side reset the relay's writes: the half-closed bound applies. */
    boolean isHalfClosed()
    {
        return firstEof != null || sawSinkReset();
    }

    /** The worker's tick found the connection quiet past its bound ({@link SpliceStage#onTick}). */
    void closeQuiet(final boolean halfClosed)
    {
        finish(halfClosed ? HALF_CLOSED : IDLE, false);
    }

    /** The first end event seen (a FIN or a reset, and whose), or {@code null} when none was. */
    String firstEnd()
    {
        if (firstEnd == null && resetEnd != null)
        {
            return resetEnd == clientEnd ? CLIENT_RESET : BACKEND_RESET;
        }
        return firstEnd;
    }

    /** After a {@link #RESET} end: true when the client was the side that reset first. */
    boolean resetByClient()
    {
        if (resetEnd != null)
        {
            return resetEnd == clientEnd;
        }
        return backendToClient.isDiscarding();
    }

    /** Ends the relay now (drain, an operator's close), closing both sockets. */
    void closeNow()
    {
        finish(SHUTDOWN, false);
    }

    void onLoopClosing()
    {
        finish(SHUTDOWN, false);
    }

    private void finish(final String reason, final boolean reset)
    {
        if (phase == FINISHED)
        {
            return;
        }
        final boolean registered = phase == RUNNING;
        phase = FINISHED;
        closeReason = reason;
        spliceLoop.remove(this);
        if (idleTimer != null)
        {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        clientToBackend.close(reset);
        backendToClient.close(reset);
        if (reset)
        {
            clientEnd.resetOnClose();
            backendEnd.resetOnClose();
        }
        // The observer hears the totals and the end before the channels close: closing them ends the
        // connection's session, which reads both.
        try
        {
            observer.onBytes(clientToBackend.bytesWritten(), backendToClient.bytesWritten());
            observer.onClosed(reason);
        }
        finally
        {
            if (handlingEvent && registered)
            {
                spliceLoop.closeAfterBatch(this, loop);
            }
            else
            {
                closeSockets();
            }
        }
    }

    /**
     * Closes both fds, then drops their registrations (no EPOLL_CTL_DEL for a closed fd), then closes
     * the channels (which find their fds closed: no SO_LINGER read), or tells the channel-less sockets
     * they are closed ({@link SpliceSocketHandle#closeOwner}).
     */
    void closeSockets()
    {
        clientEnd.closeFd();
        backendEnd.closeFd();
        clientEnd.deregister();
        backendEnd.deregister();
        clientEnd.closeOwner();
        backendEnd.closeOwner();
    }
}
