package io.gatehouse.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each load mode against the bundled backends on loopback, and the failures it must count. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadRunTest
{
    private static final long MS = 1_000_000L;
    private static Backend echo;
    private static Backend respond;
    private static Backend sink;
    private static Backend source;
    private static Backend tlsEcho;

    @BeforeAll
    static void startBackends()
    {
        echo = Backend.start(BackendSpec.of(BackendMode.ECHO, "echo-1"));
        respond = Backend.start(BackendSpec.of(BackendMode.RESPOND, "respond-1"));
        sink = Backend.start(BackendSpec.of(BackendMode.SINK, "sink-1"));
        source = Backend.start(BackendSpec.of(BackendMode.SOURCE, "source-1"));
        tlsEcho = Backend.start(BackendSpec.of(BackendMode.ECHO, "tls-1").withTls(SelfSignedIdentity.generate("tls.example.test")));
    }

    @AfterAll
    static void stopBackends()
    {
        for (final Backend backend : new Backend[] {echo, respond, sink, source, tlsEcho})
        {
            if (backend != null)
            {
                backend.close();
            }
        }
    }

    private static LoadSettings settings(final LoadMode mode, final Backend backend, final double rate)
    {
        return LoadSettings.of(mode, "127.0.0.1", backend.port(), rate, 800 * MS)
            .withWarmupNs(0)
            .withThreads(2)
            .withTimeoutNs(10_000 * MS)
            .withExpectId(backend.id());
    }

    private static LoadResult run(final LoadSettings settings)
    {
        return new LoadRun(settings, null, null).run();
    }

    /** The value of {@code "key": number} inside the object named {@code section} (or top level). */
    private static double number(final String json, final String section, final String key)
    {
        String scope = json;
        if (section != null)
        {
            final int at = json.indexOf("\"" + section + "\": {");
            assertTrue(at >= 0, "no section " + section + " in " + json);
            scope = json.substring(at, json.indexOf('}', at));
        }
        final Matcher m = Pattern.compile("\"" + key + "\": (-?[0-9.]+)").matcher(scope);
        assertTrue(m.find(), "no key " + key + " in " + scope);
        return Double.parseDouble(m.group(1));
    }

    private static void assertSaneLatencyJson(final LoadResult result)
    {
        final String json = Report.json(result);
        assertTrue(json.startsWith("{\"mode\": \"" + result.settings().mode().key() + "\""), json);
        assertEquals(result.settings().rate(), number(json, null, "rate"));
        assertEquals(result.count(), (long)number(json, null, "count"));
        assertTrue(number(json, null, "achieved") > 0);
        for (final String section : List.of("corrected", "uncorrected"))
        {
            final double p50 = number(json, section, "p50_us");
            final double p99 = number(json, section, "p99_us");
            final double p999 = number(json, section, "p999_us");
            final double max = number(json, section, "max_us");
            assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max, section + " percentiles out of order: " + json);
        }
        assertTrue(number(json, "corrected", "max_us") >= number(json, "uncorrected", "max_us") - 0.001 * number(json, "uncorrected", "max_us"));
        for (final ErrorKind kind : ErrorKind.values())
        {
            assertEquals(result.error(kind), (long)number(json, "errors", kind.key()));
        }
    }

    private static void assertNoErrors(final LoadResult result)
    {
        assertEquals(0, result.errorTotal(), () -> "errors " + result.errors() + " first: " + result.firstError());
    }

    /**
     * Nothing is lost: with no warm-up every intended transaction of the window either completed,
     * failed (counted by kind) or never started (reported). Throughput itself is not asserted: this
     * host may be shared and slow; what it could not start on time shows up as not started.
     */
    private static void assertAccountedFor(final LoadResult result)
    {
        final double intended = result.settings().rate() * result.settings().durationNs() / 1e9;
        final long completed = result.corrected().getTotalCount();
        final long accounted = completed + result.errorTotal() + result.notStarted();
        assertTrue(Math.abs(accounted - intended) <= 2, "intended " + intended + ", completed " + completed + " + failed "
            + result.errorTotal() + " + not started " + result.notStarted());
        assertTrue(result.count() >= 1, "nothing completed: " + result.errors() + " first: " + result.firstError());
    }

    @Test
    void shouldMeasureConnectionsWithAPostQuantumSizedHelloAgainstTheResponder()
    {
        final long acceptedBefore = respond.connectionsAccepted();
        final LoadResult result = run(settings(LoadMode.CONNECT, respond, 100).withSni("a.example.test").withHelloBytes(1_800));
        assertNoErrors(result);
        assertAccountedFor(result);
        assertTrue(respond.connectionsAccepted() - acceptedBefore >= result.count());
        assertSaneLatencyJson(result);
    }

    @Test
    void shouldMeasureRequestResponseOverPersistentConnections()
    {
        final LoadResult result = run(settings(LoadMode.RR, echo, 500).withSni("b.example.test").withConnections(4).withRequestBytes(100));
        assertNoErrors(result);
        assertAccountedFor(result);
        assertSaneLatencyJson(result);
    }

    @Test
    void shouldHandshakeTlsWithSniAgainstTheTlsBackend()
    {
        final LoadResult result = run(settings(LoadMode.TLS, tlsEcho, 20).withSni("tls.example.test").withTimeoutNs(10_000 * MS)
            .withDurationNs(1_000 * MS));
        assertNoErrors(result);
        assertAccountedFor(result);
        assertSaneLatencyJson(result);
    }

    @Test
    void shouldMoveBulkBytesUpDownAndBothWays()
    {
        final LoadResult up = run(settings(LoadMode.STREAM, sink, 0).withConnections(2).withDirection(StreamDirection.UP));
        assertNoErrors(up);
        assertTrue(up.bytesUp() > 100_000 && up.bytesDown() < 1_000, "up " + up.bytesUp() + " down " + up.bytesDown());
        final LoadResult down = run(settings(LoadMode.STREAM, source, 0).withConnections(2).withDirection(StreamDirection.DOWN));
        assertNoErrors(down);
        assertTrue(down.bytesDown() > 100_000 && down.bytesUp() == 0, "up " + down.bytesUp() + " down " + down.bytesDown());
        final LoadResult both = run(settings(LoadMode.STREAM, echo, 0).withConnections(2).withDirection(StreamDirection.BOTH));
        assertNoErrors(both);
        assertTrue(both.bytesUp() > 100_000 && both.bytesDown() > 100_000, "up " + both.bytesUp() + " down " + both.bytesDown());
        final String json = Report.json(both);
        assertTrue(number(json, null, "throughput_gbit_s") > 0);
        assertEquals(both.bytesUp() + both.bytesDown(), (long)number(json, null, "count"));
    }

    @Test
    void shouldCountRefusedConnectionsWhenNothingListens() throws IOException
    {
        final int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = probe.getLocalPort();
        }
        final LoadResult result = run(LoadSettings.of(LoadMode.CONNECT, "127.0.0.1", port, 100, 500 * MS).withThreads(1));
        assertEquals(0, result.count());
        assertTrue(result.error(ErrorKind.REFUSED) >= 1, "refused " + result.errors());
        assertEquals(50, result.errorTotal() + result.notStarted(), 2, "every intended connection refused or reported");
        assertEquals(result.errorTotal(), result.error(ErrorKind.REFUSED));
        assertNotNull(result.firstError());
        assertTrue(Report.json(result).contains("\"refused\": " + result.error(ErrorKind.REFUSED)));
    }

    @Test
    void shouldCountAnswersFromAnotherBackendAsWrongBackend()
    {
        final LoadResult connect = run(settings(LoadMode.CONNECT, respond, 50).withExpectId("someone-else"));
        assertEquals(0, connect.count());
        assertTrue(connect.error(ErrorKind.WRONG_BACKEND) >= 1, "errors " + connect.errors());
        assertEquals(connect.errorTotal(), connect.error(ErrorKind.WRONG_BACKEND));
        assertEquals(40, connect.errorTotal() + connect.notStarted(), 2);

        final LoadResult either = run(settings(LoadMode.CONNECT, respond, 50).withExpectId("someone-else, respond-1"));
        assertNoErrors(either);
        assertAccountedFor(either);

        final LoadResult rr = run(settings(LoadMode.RR, echo, 100).withConnections(2).withExpectId("someone-else"));
        assertEquals(0, rr.count());
        assertTrue(rr.error(ErrorKind.WRONG_BACKEND) + rr.warmupErrors().get(ErrorKind.WRONG_BACKEND) >= 2, "errors " + rr.errors());
        assertTrue(rr.notStarted() > 0, "intended requests with no connection to go on are reported");
    }

    @Test
    void shouldCountTimeoutsWhenTheBackendNeverAnswers() throws Exception
    {
        final List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 100, InetAddress.getLoopbackAddress()))
        {
            final Thread acceptor = new Thread(() ->
            {
                try
                {
                    while (true)
                    {
                        accepted.add(silent.accept());
                    }
                }
                catch (final IOException closed)
                {
                    // the test closed the server socket
                }
            });
            acceptor.start();
            final LoadResult result = run(LoadSettings.of(LoadMode.CONNECT, "127.0.0.1", silent.getLocalPort(), 20, 500 * MS)
                .withThreads(1)
                .withTimeoutNs(200 * MS));
            silent.close();
            acceptor.join(5_000);
            assertEquals(0, result.count());
            assertTrue(result.error(ErrorKind.TIMEOUT) >= 1, "timeouts " + result.errors());
            assertEquals(10, result.errorTotal() + result.notStarted(), 2);
            assertEquals(result.errorTotal(), result.error(ErrorKind.TIMEOUT));
        }
        finally
        {
            for (final Socket socket : accepted)
            {
                socket.close();
            }
        }
    }
}
