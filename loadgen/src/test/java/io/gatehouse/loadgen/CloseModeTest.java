package io.gatehouse.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --close} on both sides (issue 11): each client close mode seen from a plain-socket backend that
 * records how its connections really ended (a reset, an EOF before its answer), and each backend close
 * mode seen from a plain-socket client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseModeTest
{
    private static final long MS = 1_000_000L;

    private static LoadSettings connect(final int port, final CloseMode close)
    {
        return LoadSettings.of(LoadMode.CONNECT, "127.0.0.1", port, 100, 600 * MS)
            .withWarmupNs(0)
            .withThreads(1)
            .withTimeoutNs(5_000 * MS)
            .withClose(close);
    }

    @Test
    void shouldWaitForTheBackendsCloseWithCloseBackend()
    {
        try (Backend first = Backend.start(BackendSpec.of(BackendMode.RESPOND, "first-1").withClose(BackendClose.FIRST)))
        {
            final LoadResult result = new LoadRun(connect(first.port(), CloseMode.BACKEND).withExpectId("first-1"), null, null).run();
            assertEquals(0, result.errorTotal(), () -> result.errors() + " " + result.firstError());
            assertTrue(result.count() > 0);
        }
    }

    @Test
    void shouldTimeOutWithCloseBackendWhenTheBackendNeverCloses()
    {
        try (Backend keeps = Backend.start(BackendSpec.of(BackendMode.RESPOND, "keeps-1")))
        {
            final LoadResult result = new LoadRun(connect(keeps.port(), CloseMode.BACKEND).withTimeoutNs(200 * MS), null, null).run();
            assertEquals(0, result.count(), "no transaction may complete while the backend keeps its side open");
            assertTrue(result.error(ErrorKind.TIMEOUT) > 0, () -> result.errors().toString());
            assertTrue(result.firstError().contains("no close from the backend"), result.firstError());
        }
    }

    @Test
    void shouldCountTheBackendsResetAgainstCloseBackend()
    {
        try (Backend reset = Backend.start(BackendSpec.of(BackendMode.RESPOND, "reset-1").withClose(BackendClose.RESET)))
        {
            final LoadResult result = new LoadRun(connect(reset.port(), CloseMode.BACKEND), null, null).run();
            assertEquals(0, result.count());
            assertTrue(result.error(ErrorKind.RESET) > 0, () -> result.errors().toString());
        }
    }

    @Test
    void shouldSendAFewBytesThenResetWithCloseRst() throws Exception
    {
        try (RecordingBackend backend = new RecordingBackend(false))
        {
            final LoadResult result = new LoadRun(connect(backend.port(), CloseMode.RST), null, null).run();
            assertEquals(0, result.errorTotal(), () -> result.errors() + " " + result.firstError());
            assertTrue(result.count() > 0);
            backend.awaitEnded(result.count());
            assertTrue(backend.failures.isEmpty(), "every connection ended with an RST: " + backend.failures);
            assertTrue(backend.resets.get() >= result.count(), backend.resets + " resets for " + result.count() + " transactions");
            assertEquals(backend.resets.get(), backend.byeSeen.get(), "the bytes sent right before each RST arrived");
        }
    }

    @Test
    void shouldHalfCloseAfterTheHelloAndCompleteAtTheBackendsCloseWithCloseHalf() throws Exception
    {
        try (RecordingBackend backend = new RecordingBackend(true))
        {
            final LoadResult result = new LoadRun(connect(backend.port(), CloseMode.HALF), null, null).run();
            assertEquals(0, result.errorTotal(), () -> result.errors() + " " + result.firstError());
            assertTrue(result.count() > 0);
            backend.awaitEnded(result.count());
            assertTrue(backend.failures.isEmpty(), "each client half-closed before the answer: " + backend.failures);
            assertTrue(backend.eofBeforeAnswer.get() >= result.count(), backend.eofBeforeAnswer + " half-closes for " + result.count() + " transactions");
        }
    }

    @Test
    void shouldCloseFirstOrResetAfterTheFirstAnswerWithServeClose() throws Exception
    {
        try (Backend first = Backend.start(BackendSpec.of(BackendMode.ECHO, "echo-first").withClose(BackendClose.FIRST));
             Backend reset = Backend.start(BackendSpec.of(BackendMode.RESPOND, "respond-reset").withClose(BackendClose.RESET)))
        {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), first.port()))
            {
                socket.setSoTimeout(5_000);
                assertEquals("echo-first\n", new String(socket.getInputStream().readNBytes(11), StandardCharsets.US_ASCII));
                assertEquals(-1, socket.getInputStream().read(), "FIN after the greeting");
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), reset.port()))
            {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                final byte[] answer = socket.getInputStream().readNBytes(BackendSpec.DEFAULT_RESPONSE_BYTES);
                assertTrue(new String(answer, StandardCharsets.US_ASCII).startsWith("respond-reset\n"));
                assertThrows(IOException.class, () -> socket.getInputStream().read(), "an RST after the first response, not an EOF");
            }
        }
    }

    @Test
    void shouldRefuseCloseModesOutsideConnect()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> LoadSettings.of(LoadMode.RR, "127.0.0.1", 1, 10, MS).withClose(CloseMode.RST));
        assertTrue(ex.getMessage().contains("connect only"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CloseMode.parse("sideways"));
        assertThrows(IllegalArgumentException.class, () -> BackendClose.parse("later"));
    }

    /**
     * A blocking backend that answers {@code "id\n"} and records how each connection ended: with
     * {@code waitForEof} it reads the hello to EOF before answering (a half-close), else it answers the
     * first bytes and reads on until the connection ends (EOF or reset).
     */
    private static final class RecordingBackend implements AutoCloseable
    {
        final AtomicLong ended = new AtomicLong();
        final AtomicLong resets = new AtomicLong();
        final AtomicLong byeSeen = new AtomicLong();
        final AtomicLong eofBeforeAnswer = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final ServerSocket server;
        private final Thread acceptor;

        RecordingBackend(final boolean waitForEof) throws IOException
        {
            server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() ->
            {
                while (!server.isClosed())
                {
                    try
                    {
                        final Socket socket = server.accept();
                        final Thread connection = new Thread(() -> serve(socket, waitForEof), "recording-backend");
                        connection.setDaemon(true);
                        connection.start();
                    }
                    catch (final IOException ex)
                    {
                        // Closed.
                    }
                }
            }, "recording-backend-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port()
        {
            return server.getLocalPort();
        }

        void awaitEnded(final long count) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ended.get() < count && deadlineNs - System.nanoTime() > 0)
            {
                Thread.sleep(5);
            }
        }

        private void serve(final Socket socket, final boolean waitForEof)
        {
            try (socket)
            {
                socket.setSoTimeout(5_000);
                final InputStream in = socket.getInputStream();
                if (waitForEof)
                {
                    in.readAllBytes();
                    eofBeforeAnswer.incrementAndGet();
                    socket.getOutputStream().write("half-1\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                final byte[] buffer = new byte[65536];
                int n = in.read(buffer);
                socket.getOutputStream().write("rst-1\n".getBytes(StandardCharsets.US_ASCII));
                final StringBuilder tail = new StringBuilder();
                try
                {
                    while ((n = in.read(buffer)) >= 0)
                    {
                        tail.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    }
                    failures.add("EOF, not a reset");
                }
                catch (final IOException ex)
                {
                    resets.incrementAndGet();
                }
                if (tail.toString().endsWith("bye\r\n"))
                {
                    byeSeen.incrementAndGet();
                }
            }
            catch (final IOException ex)
            {
                failures.add(ex.toString());
            }
            finally
            {
                ended.incrementAndGet();
            }
        }

        @Override
        public void close() throws Exception
        {
            server.close();
            acceptor.join(5_000);
        }
    }
}
