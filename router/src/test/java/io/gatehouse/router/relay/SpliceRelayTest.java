package io.gatehouse.router.relay;

import io.gatehouse.router.relay.SpliceTestBed.Pair;
import io.gatehouse.router.relay.SpliceTestBed.Relayed;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import static io.gatehouse.router.relay.SpliceTestBed.assertStream;
import static io.gatehouse.router.relay.SpliceTestBed.await;
import static io.gatehouse.router.relay.SpliceTestBed.readToEnd;
import static io.gatehouse.router.relay.SpliceTestBed.writeStream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The splice relay's contract on loopback: every byte and the EOF arrive, half-closes are forwarded
 * only after the bytes before them, resets propagate, backpressure bounds what is in flight, idle
 * connections close, and no fd or buffer outlives a connection.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpliceRelayTest
{
    /** 16 MiB per stream, as the issue asks. */
    private static final long STREAM_BYTES = 16L << 20;
    /**
     * Rounds per direction x ending. The issue asks for 200: 4 x 200 x 16 MiB = 12.5 GiB took 53 s on the
     * shared 2-core box (passed), too much of this module's 2-minute budget, so the suite runs 50 (3.1 GiB,
     * about 15 s) and {@code -Dgatehouse.testArgLine="... -Dgatehouse.splice.rounds=200"} runs the full count.
     */
    private static final int ROUNDS = Integer.getInteger("gatehouse.splice.rounds", 50);

    private SpliceTestBed bed;
    private ExecutorService peers;

    /** Copy through pooled buffers ({@link BufferDirection}) instead of splicing through pipes. */
    boolean copy()
    {
        return false;
    }

    /** The backend a {@link RawBackendSocket} (no Netty channel), the first flight preloaded, as the router does. */
    boolean rawBackend()
    {
        return false;
    }

    /** The client a {@link RawClientSocket} accepted by the router's channel-less listening socket (and the backend raw). */
    boolean rawClient()
    {
        return false;
    }

    @BeforeAll
    void startBed() throws Exception
    {
        assumeTrue(SpliceRelay.isAvailable(), "epoll splice not available here");
        bed = new SpliceTestBed(copy(), rawBackend(), rawClient());
        peers = Executors.newCachedThreadPool();
    }

    @AfterAll
    void stopBed() throws Exception
    {
        if (bed != null)
        {
            bed.close();
            peers.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0} then {1}")
    @CsvSource({"clientToBackend, fin", "clientToBackend, close", "backendToClient, fin", "backendToClient, close"})
    void shouldDeliverEveryByteAndTheEndOfStream(final String direction, final String ending) throws Exception
    {
        final long allocationsBefore = bed.allocations.get();
        for (int round = 0; round < ROUNDS; round++)
        {
            try (Pair pair = bed.connect())
            {
                final Relayed relayed = bed.nextRelayed();
                final boolean forward = direction.equals("clientToBackend");
                final Socket writer = forward ? pair.client() : pair.backend();
                final Socket reader = forward ? pair.backend() : pair.client();
                final int seed = round;
                final Future<Long> sent = peers.submit(() ->
                {
                    final long crc = writeStream(writer.getOutputStream(), STREAM_BYTES, seed);
                    if (ending.equals("fin"))
                    {
                        writer.shutdownOutput();
                    }
                    else
                    {
                        writer.close();
                    }
                    return crc;
                });
                final long[] received = readToEnd(reader.getInputStream());
                assertStream(STREAM_BYTES, sent.get(30, TimeUnit.SECONDS), received);

                // The other direction ends too, so the relay completes normally.
                reader.shutdownOutput();
                if (ending.equals("fin"))
                {
                    assertEquals(-1, writer.getInputStream().read(), "EOF forwarded to the writer");
                }
                final String reason = relayed.awaitClosed();
                assertEquals(forward ? "client_eof" : "backend_eof", reason);
                assertEquals(STREAM_BYTES, forward ? relayed.clientToBackend : relayed.backendToClient);
            }
        }
        assertEquals(allocationsBefore, bed.allocations.get(), "buffers allocated by the splice path");
    }

    @Test
    void shouldForwardClientFinOnlyAfterItsBytesWhileBackendKeepsAnswering() throws Exception
    {
        try (Pair pair = bed.connect())
        {
            final Relayed relayed = bed.nextRelayed();
            final long requestCrc = writeStream(pair.client().getOutputStream(), 3 << 20, 1);
            pair.client().shutdownOutput();

            assertStream(3 << 20, requestCrc, readToEnd(pair.backend().getInputStream()));
            final Future<Long> answer = peers.submit(() ->
            {
                final long crc = writeStream(pair.backend().getOutputStream(), 5 << 20, 2);
                pair.backend().shutdownOutput();
                return crc;
            });
            assertStream(5 << 20, answer.get(30, TimeUnit.SECONDS), readToEnd(pair.client().getInputStream()));
            assertEquals("client_eof", relayed.awaitClosed());
        }
    }

    @Test
    void shouldForwardBackendFinOnlyAfterItsBytesWhileClientKeepsSending() throws Exception
    {
        try (Pair pair = bed.connect())
        {
            final Relayed relayed = bed.nextRelayed();
            final long greetingCrc = writeStream(pair.backend().getOutputStream(), 2 << 20, 3);
            pair.backend().shutdownOutput();

            assertStream(2 << 20, greetingCrc, readToEnd(pair.client().getInputStream()));
            final Future<Long> upload = peers.submit(() ->
            {
                final long crc = writeStream(pair.client().getOutputStream(), 6 << 20, 4);
                pair.client().shutdownOutput();
                return crc;
            });
            assertStream(6 << 20, upload.get(30, TimeUnit.SECONDS), readToEnd(pair.backend().getInputStream()));
            assertEquals("backend_eof", relayed.awaitClosed());
        }
    }

    @Test
    void shouldSendTheFirstFlightBeforeAnySplicedByte() throws Exception
    {
        // Large enough that Netty still queues part of it when the relay starts.
        final byte[] first = new byte[12 << 20];
        System.arraycopy(SpliceTestBed.NOISE, 0, first, 0, SpliceTestBed.NOISE.length);
        first[first.length - 1] = 7;
        bed.firstFlight = first;
        try (Pair pair = bed.connect())
        {
            final Relayed relayed = bed.nextRelayed();
            final Future<Long> sent = peers.submit(() ->
            {
                final long crc = writeStream(pair.client().getOutputStream(), 1 << 20, 5);
                pair.client().shutdownOutput();
                return crc;
            });
            final InputStream in = pair.backend().getInputStream();
            assertArrayEquals(first, in.readNBytes(first.length), "first flight, unchanged and first");
            assertStream(1 << 20, sent.get(30, TimeUnit.SECONDS), readToEnd(in));
            pair.backend().shutdownOutput();
            assertEquals("client_eof", relayed.awaitClosed());
        }
        finally
        {
            bed.firstFlight = null;
        }
    }

    @Test
    void shouldRelayPastTcpUrgentDataWithoutLosingTheRest() throws Exception
    {
        // splice(2) stops at a TCP urgent mark (tcp_read_sock), so a relay that trusts it alone would
        // spin on EPOLLIN or, after the FIN, take the mark for the end of the stream. A copy relay drops
        // the urgent byte itself (SO_OOBINLINE off); so does this one, and nothing else.
        try (Pair pair = bed.connect())
        {
            final Relayed relayed = bed.nextRelayed();
            final OutputStream out = pair.client().getOutputStream();
            out.write("before".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("before", new String(pair.backend().getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            pair.client().sendUrgentData('!');
            final long crc = writeStream(out, 1 << 20, 9);
            pair.client().shutdownOutput();
            assertStream(1 << 20, crc, readToEnd(pair.backend().getInputStream()));
            pair.backend().shutdownOutput();
            assertEquals("client_eof", relayed.awaitClosed());
            if (!copy())
            {
                assertTrue(relayed.connection.get().fallbackReads() >= 1, "recv(2) stepped over the mark");
            }
        }
    }

    @Test
    void shouldDeliverWhatAClosedClientSentEvenWhenItsKernelResetsTheAnswer() throws Exception
    {
        // The client sends 1 MiB and closes (FIN). The backend, not reading yet, answers; the client's
        // kernel resets the relay's writes to a closed socket. The 1 MiB before the FIN must still
        // reach the backend, then the EOF: the relay must not reset the backend, whose unread queue an
        // RST would discard.
        // What the client's kernel has not sent when the reset comes it drops (TCP), so the test waits until
        // the relay has written the whole stream to the backend (a receive buffer large enough to hold it
        // while the backend reads nothing) before the client closes. Left to the kernel's buffer sizing the
        // race is the host's: a loaded host once held 113 KB of the 1 MiB on the relay's side when the reset
        // came, and the client's kernel dropped the rest.
        final int sent = copy() ? 64 << 10 : 1 << 20;
        try (Pair pair = bed.connect())
        {
            pair.backend().setReceiveBufferSize(4 << 20);
            final Relayed relayed = bed.nextRelayed();
            final SpliceConnection connection = relayed.connection.get();
            final long crc = writeStream(pair.client().getOutputStream(), sent, 12);
            await("the relay to write the whole stream to the backend", 10_000, () ->
            {
                try
                {
                    return bed.onLoop(connection::bytesMoved) == sent;
                }
                catch (final Exception loopGone)
                {
                    throw new IllegalStateException(loopGone);
                }
            });
            pair.client().close();
            final OutputStream answer = pair.backend().getOutputStream();
            await("the client's reset to reach the relay", 10_000, () ->
            {
                try
                {
                    answer.write(new byte[1024]);
                    answer.flush();
                }
                catch (final IOException relayClosedUs)
                {
                    return true;
                }
                return connection.sawSinkReset() || relayed.reason.get() != null;
            });
            final long[] got = readToEnd(pair.backend().getInputStream());
            assertStream(sent, crc, got);
            pair.backend().close();
            assertEquals("reset", relayed.awaitClosed());
        }
    }

    @ParameterizedTest(name = "reset by {0}")
    @CsvSource({"backend", "client"})
    void shouldResetTheOtherSideWhenOneSideResetsMidStream(final String resetter) throws Exception
    {
        final long fdsBefore = SpliceTestBed.openFds();
        final int idleBefore = bed.idlePipes();
        try (Pair pair = bed.connect())
        {
            final Relayed relayed = bed.nextRelayed();
            final boolean backendResets = resetter.equals("backend");
            final Socket resetting = backendResets ? pair.backend() : pair.client();
            final Socket other = backendResets ? pair.client() : pair.backend();
            final Future<?> stream = peers.submit(() ->
            {
                try
                {
                    writeStream(resetting.getOutputStream(), 4 << 20, 6);
                }
                catch (final IOException expected)
                {
                    // the writer may see its own reset
                }
                return null;
            });
            final InputStream in = other.getInputStream();
            final byte[] some = in.readNBytes(1 << 20);
            assertEquals(1 << 20, some.length);
            resetting.setSoLinger(true, 0);
            resetting.close();
            stream.get(30, TimeUnit.SECONDS);

            assertThrows(IOException.class, () -> readToEnd(in), "a reset must not look like a clean end");
            assertEquals("reset", relayed.awaitClosed());
        }
        awaitFdsBack(fdsBefore, idleBefore, 10_000);
    }

    /**
     * A reset is an answer of the socket calls, not an exception: under wrk 'Connection: close' most connections
     * end in one (the client closes with the server's close_notify unread), so the relay's reset paths must build
     * and throw nothing. JFR records every Throwable constructed on the loop's thread while connections end in
     * each reset the relay meets: the client resets after the backend's answer and FIN (read fails at the client,
     * ECONNRESET), the client resets mid-stream (a write to it fails too: EPIPE), the backend resets mid-stream.
     */
    @Test
    void shouldEndResetConnectionsWithoutThrowingOnTheLoop() throws Exception
    {
        final long loopThread = bed.onLoop(() -> Thread.currentThread().getId());
        final List<String> thrown = new ArrayList<>();
        try (Recording recording = new Recording())
        {
            recording.enable("jdk.JavaExceptionThrow").withStackTrace();
            recording.enable("jdk.JavaErrorThrow").withStackTrace();
            recording.start();
            for (int i = 0; i < 8; i++)
            {
                try (Pair pair = bed.connect())
                {
                    final Relayed relayed = bed.nextRelayed();
                    final long requestCrc = writeStream(pair.client().getOutputStream(), 300, i);
                    assertStream(300, requestCrc, readExactly(pair.backend().getInputStream(), 300));
                    final long answerCrc = writeStream(pair.backend().getOutputStream(), 500, i + 1);
                    pair.backend().shutdownOutput();
                    assertStream(500, answerCrc, readToEnd(pair.client().getInputStream()));
                    pair.client().setSoLinger(true, 0);
                    pair.client().close(); // RST: the relay's next read of the client fails
                    assertEquals(-1, pair.backend().getInputStream().read(), "the backend's stream ends plainly");
                    assertEquals("reset", relayed.awaitClosed());
                }
            }
            for (final boolean backendResets : new boolean[] {false, true})
            {
                try (Pair pair = bed.connect())
                {
                    final Relayed relayed = bed.nextRelayed();
                    final Socket resetting = backendResets ? pair.backend() : pair.client();
                    final Socket other = backendResets ? pair.client() : pair.backend();
                    writeStream(resetting.getOutputStream(), 64 << 10, 3);
                    writeStream(other.getOutputStream(), 64 << 10, 4);
                    assertEquals(64 << 10, other.getInputStream().readNBytes(64 << 10).length);
                    resetting.setSoLinger(true, 0);
                    resetting.close();
                    assertEquals("reset", relayed.awaitClosed());
                }
            }
            recording.stop();
            final Path file = Files.createTempFile("relay-throws", ".jfr");
            try
            {
                recording.dump(file);
                for (final RecordedEvent event : RecordingFile.readAllEvents(file))
                {
                    if (event.getThread() != null && event.getThread().getJavaThreadId() == loopThread
                        && event.getStackTrace() != null)
                    {
                        // who built it: the first frame that is not a Throwable's constructor
                        thrown.add(event.getStackTrace().getFrames().stream()
                            .filter(frame -> !frame.getMethod().getName().equals("<init>"))
                            .map(frame -> frame.getMethod().getType().getName() + "." + frame.getMethod().getName())
                            .findFirst().orElse("?") + " built " + event.getClass("thrownClass").getName());
                    }
                }
            }
            finally
            {
                Files.deleteIfExists(file);
            }
        }
        thrown.removeIf(each -> !each.startsWith("io.gatehouse.")); // Netty's own, as it closes a channel end
        assertEquals(List.of(), thrown, "Throwables constructed by the relay on its loop");
    }

    private static long[] readExactly(final InputStream in, final int bytes) throws IOException
    {
        final byte[] got = in.readNBytes(bytes);
        assertEquals(bytes, got.length);
        final CRC32C crc = new CRC32C();
        crc.update(got);
        return new long[] {got.length, crc.getValue()};
    }

    @ParameterizedTest(name = "slow {0}")
    @CsvSource({"backend", "client"})
    void shouldStopReadingWhileTheOtherSideTakesNothing(final String slowReader) throws Exception
    {
        try (Pair pair = bed.connect())
        {
            final Relayed relayed = bed.nextRelayed();
            final boolean slowBackend = slowReader.equals("backend");
            final Socket writer = slowBackend ? pair.client() : pair.backend();
            final Socket reader = slowBackend ? pair.backend() : pair.client();
            final AtomicLong written = new AtomicLong();
            final long limit = 512L << 20;
            final Future<Long> sent = peers.submit(() ->
            {
                final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                final byte[] chunk = new byte[1 << 14];
                int offset = 0;
                while (written.get() < limit)
                {
                    System.arraycopy(SpliceTestBed.NOISE, offset, chunk, 0, chunk.length);
                    writer.getOutputStream().write(chunk);
                    crc.update(chunk);
                    written.addAndGet(chunk.length);
                    offset = (offset + 31) % 4099;
                }
                writer.shutdownOutput();
                return crc.getValue();
            });

            // Wait until the writer is stuck: nothing reads, so the kernel buffers and one pipe fill up.
            final long[] last = {-1, 0};
            await("the writer to stall", 30_000, () ->
            {
                final long now = written.get();
                if (now == last[0])
                {
                    return ++last[1] >= 40;
                }
                last[0] = now;
                last[1] = 0;
                return false;
            });
            final long stalledAt = written.get();
            final SpliceConnection connection = relayed.connection.get();
            final int state = bed.onLoop(() -> slowBackend ?
                connectionState(connection, true) : connectionState(connection, false));
            assertEquals(RawDirection.WAIT_SINK, state, "the relay stopped reading the fast side");
            assertTrue(stalledAt < 64L << 20, "in flight while nobody reads: " + stalledAt + " bytes");

            // Then the slow side reads everything: nothing was lost while the relay held back.
            final long[] received = readToEnd(reader.getInputStream());
            assertStream(limit, sent.get(60, TimeUnit.SECONDS), received);
            reader.shutdownOutput();
            relayed.awaitClosed();
        }
    }

    private static int directionState(final SpliceTestBed on, final SpliceConnection connection)
    {
        try
        {
            return on.onLoop(() -> connection.directionState(true));
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static int connectionState(final SpliceConnection connection, final boolean clientToBackend)
    {
        return connection.directionState(clientToBackend);
    }

    @Test
    void shouldCloseBothSidesAfterTheIdleTimeoutOnTheInjectedClock() throws Exception
    {
        bed.fakeClock = true;
        bed.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(20);
        try (Pair pair = bed.connect())
        {
            final Relayed relayed = bed.nextRelayed();
            pair.client().getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(pair.backend().getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            final SpliceConnection connection = relayed.connection.get();
            await("the idle timer to run twice", 5_000, () -> connection.idleChecks() >= 2);
            assertEquals(null, relayed.reason.get(), "the clock has not moved: not idle");

            bed.fakeNowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(21));
            assertEquals("idle", relayed.awaitClosed());
            assertEquals(-1, pair.client().getInputStream().read(), "client sees the close");
            assertEquals(-1, pair.backend().getInputStream().read(), "backend sees the close");
        }
        finally
        {
            bed.fakeClock = false;
            bed.idleTimeoutNs = 0;
        }
    }

    @Test
    void shouldReturnFdCountToBaselineAfterManyConnections() throws Exception
    {
        final int connections = Integer.getInteger("gatehouse.splice.connections", 1_200);
        final int concurrency = 8;
        runShortExchanges(16); // warm up classes, sockets and the pipe pool
        final long fdsBefore = SpliceTestBed.openFds();
        final int idleBefore = bed.idlePipes();

        runShortExchanges(connections / concurrency * concurrency);

        awaitFdsBack(fdsBefore, idleBefore, 20_000);
        assertTrue(bed.idlePipes() <= SplicePipePool.MAX_IDLE_PIPES);
        assertEquals(0, bed.liveRelays(), "relays still on the loop's live list");
    }

    private void runShortExchanges(final int count) throws Exception
    {
        final int concurrency = 8;
        final List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Pair pair = bed.connect();
            final Relayed relayed = bed.nextRelayed();
            final int seed = i;
            running.add(peers.submit(() ->
            {
                try (pair)
                {
                    final long requestCrc = writeStream(pair.client().getOutputStream(), 1 + seed % 3000, seed);
                    pair.client().shutdownOutput();
                    assertStream(1 + seed % 3000, requestCrc, readToEnd(pair.backend().getInputStream()));
                    final long answerCrc = writeStream(pair.backend().getOutputStream(), 1 + seed % 5000, seed + 1);
                    pair.backend().close();
                    assertStream(1 + seed % 5000, answerCrc, readToEnd(pair.client().getInputStream()));
                    assertEquals("client_eof", relayed.awaitClosed());
                }
                return null;
            }));
            if (running.size() == concurrency)
            {
                for (final Future<?> each : running)
                {
                    each.get(30, TimeUnit.SECONDS);
                }
                running.clear();
            }
        }
        for (final Future<?> each : running)
        {
            each.get(30, TimeUnit.SECONDS);
        }
    }

    private volatile String lastFds = "";

    private void awaitFdsBack(final long fdsBefore, final int idleBefore, final long timeoutMs) throws InterruptedException
    {
        try
        {
            await("fds back to baseline", timeoutMs, () -> fdsAreBack(fdsBefore, idleBefore));
        }
        catch (final AssertionError timedOut)
        {
            throw new AssertionError(timedOut.getMessage() + ": " + lastFds, timedOut);
        }
    }

    /**
     * No more descriptors open than before, plus two for each pipe the pool now holds idle beyond its
     * count then. At most, not exactly: the count is the whole JVM's, and a descriptor an earlier test's
     * loop closes late (its teardown runs on) lowers it without anything of this relay's being open.
     */
    private boolean fdsAreBack(final long fdsBefore, final int idleBefore)
    {
        try
        {
            final long expected = fdsBefore + 2L * (bed.idlePipes() - idleBefore);
            lastFds = "open " + SpliceTestBed.openFds() + ", at most " + expected + " (" + fdsBefore + " before, idle pipes "
                + idleBefore + " -> " + bed.idlePipes() + ")";
            return SpliceTestBed.openFds() <= expected;
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    /** Repeated: Netty 4.2.18 skips prepareToDestroy on some shutdowns (see {@link SpliceLoop}). */
    @RepeatedTest(5)
    void shouldCloseEveryRelayAndPipeWhenTheEventLoopShutsDown() throws Exception
    {
        final Set<String> before = SpliceTestBed.openPipesAndSockets();
        final List<Pair> pairs = new ArrayList<>();
        final List<Relayed> relays = new ArrayList<>();
        final SpliceTestBed own = new SpliceTestBed(copy(), rawBackend(), rawClient());
        try
        {
            for (int i = 0; i < 6; i++)
            {
                final Pair pair = own.connect();
                pairs.add(pair);
                relays.add(own.nextRelayed());
                final int seed = i;
                peers.submit(() -> writeStream(pair.client().getOutputStream(), seed % 2 == 0 ? 64 << 20 : 10, seed));
            }
            for (int i = 0; i < relays.size(); i++)
            {
                final SpliceConnection connection = relays.get(i).connection.get();
                await("relay running", 10_000, connection::isRunning);
                if (i % 2 == 0)
                {
                    // These hold a pipe full of bytes the backend has not read.
                    await("pipe full", 10_000, () -> directionState(own, connection) == RawDirection.WAIT_SINK);
                }
            }
        }
        finally
        {
            own.close();
        }
        for (final Relayed relayed : relays)
        {
            assertEquals("shutdown", relayed.awaitClosed());
        }
        for (final Pair pair : pairs)
        {
            pair.close();
        }
        await("every pipe and socket opened by the relays closed", 10_000, () ->
        {
            try
            {
                return before.containsAll(SpliceTestBed.openPipesAndSockets());
            }
            catch (final IOException ex)
            {
                throw new AssertionError(ex);
            }
        });
    }

    @Test
    void shouldRefuseChannelsThatAreNotEpoll()
    {
        final EmbeddedChannel one = new EmbeddedChannel();
        final EmbeddedChannel two = new EmbeddedChannel();
        try
        {
            assertThrows(IllegalArgumentException.class, () -> SpliceRelay.start(one, two, 0, new Relayed()));
        }
        finally
        {
            one.finishAndReleaseAll();
            two.finishAndReleaseAll();
        }
    }
}
