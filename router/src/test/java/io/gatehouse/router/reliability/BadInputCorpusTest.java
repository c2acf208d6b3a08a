package io.gatehouse.router.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.proxy.ProxyHeaderParser;
import io.gatehouse.router.proxy.ProxyHeaderStatus;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every flight of {@link HostileFlights} through a live router: the outcome each one should be counted
 * under is predicted from the parsers the router uses (and the router's own rules: a peek still
 * undecided at 16 KiB is too large, an undecided one is cut at the peek timeout; a listener that trusts
 * no source, like every listener for a source it does not trust, refuses bytes that start with a PROXY
 * signature and waits on a prefix of one (issue 12 item 1)), then the router's counters must move by exactly that histogram. Flights
 * that route to the echo backend must come back byte for byte; every other client must see its
 * connection end (no hang). Afterwards: no connection open, fds at the baseline, no buffer leak reported
 * by the PARANOID detector.
 */
@ExtendWith(LeakGuard.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadInputCorpusTest
{
    private static final int PEEK_MAX_BYTES = 16_384;
    private static final Counter[] OUTCOMES = {
        Counter.PEEK_OK, Counter.PEEK_NO_NAME, Counter.PEEK_NOT_RECOGNISED, Counter.PEEK_MALFORMED, Counter.PEEK_TOO_LARGE,
        Counter.PEEK_TIMEOUT, Counter.PEEK_EOF, Counter.REJECTED_PROXY_HEADER,
    };

    @TempDir
    Path dir;

    /** The counter a flight should land in, and the bytes the echo backend returns when it is relayed there (else null). */
    record Expected(Counter counter, byte[] echo)
    {
        boolean echoed()
        {
            return echo != null;
        }

        @Override
        public String toString()
        {
            return counter + (echo != null ? " echoing " + echo.length + " bytes" : "");
        }
    }

    @Test
    void shouldCountEveryHostileFlightWithoutCrashOrLeak() throws Exception
    {
        try (RawBackend echo = new RawBackend("echo", RawBackend::echo);
             RouterUnderTest router = RouterUnderTest.start(dir, "runtime: {workers: 2, drain_timeout: 1s}\n"
                 + "listeners:\n"
                 + "  - name: plain\n"
                 + "    address: 127.0.0.1:0\n"
                 + "    peek_timeout: 1s\n"
                 + "    peek_max_bytes: " + PEEK_MAX_BYTES + "\n"
                 + "    routes:\n"
                 + "      - hostnames: [" + HostileFlights.HOST + "]\n"
                 + "        backends: [\"127.0.0.1:" + echo.address().getPort() + "\"]\n"
                 + "  - name: proxied\n"
                 + "    address: 127.0.0.1:0\n"
                 + "    peek_timeout: 1s\n"
                 + "    proxy_protocol_from: [127.0.0.0/8]\n"
                 + "    routes:\n"
                 + "      - hostnames: [" + HostileFlights.HOST + "]\n"
                 + "        backends: [\"127.0.0.1:" + echo.address().getPort() + "\"]\n"))
        {
            runFlights(router, router.vip("plain"), List.of(new HostileFlights.Flight("warm-up", HostileFlights.validHello())), false);
            router.awaitNoConnections();
            final int baselineFds = Loopback.openFds();

            final List<HostileFlights.Flight> plain = HostileFlights.plain();
            final List<HostileFlights.Flight> proxied = HostileFlights.proxied();
            final long startNs = System.nanoTime();
            final Map<Counter, Long> plainCounts = runFlights(router, router.vip("plain"), plain, false);
            final Map<Counter, Long> proxiedCounts = runFlights(router, router.vip("proxied"), proxied, true);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            router.awaitNoConnections();
            Await.until("fd count back to baseline " + baselineFds, () -> Loopback.openFds() <= baselineFds,
                () -> "now " + Loopback.openFds());
            final List<String> leaks = LeakGuard.collectLeaks();
            assertEquals(List.of(), leaks, "buffer leaks reported by the PARANOID leak detector");
            System.out.println("reliability: bad input: " + (plain.size() + proxied.size()) + " hostile first flights ("
                + plain.size() + " plain, " + proxied.size() + " to the PROXY-trusting listener) in " + elapsedMs
                + " ms, each counted as predicted: plain " + plainCounts + ", proxied " + proxiedCounts
                + "; 0 hung, 0 leaks, fds back to " + baselineFds);
        }
    }

    private Map<Counter, Long> runFlights(
        final RouterUnderTest router, final InetSocketAddress vip, final List<HostileFlights.Flight> flights, final boolean trusted)
        throws Exception
    {
        final Map<Counter, Long> expected = new EnumMap<>(Counter.class);
        final List<Expected> each = new ArrayList<>();
        for (final HostileFlights.Flight flight : flights)
        {
            final Expected outcome = trusted ? predictProxied(flight.bytes()) : predictPlain(flight.bytes());
            each.add(outcome);
            expected.merge(outcome.counter(), 1L, Long::sum);
        }
        final long[] before = snapshot(router);
        final ExecutorService pool = Executors.newFixedThreadPool(16);
        try
        {
            final List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < flights.size(); i++)
            {
                final HostileFlights.Flight flight = flights.get(i);
                final Expected outcome = each.get(i);
                results.add(pool.submit(() -> send(vip, flight, outcome)));
            }
            final List<String> problems = new ArrayList<>();
            for (final Future<String> result : results)
            {
                final String problem = result.get(60, TimeUnit.SECONDS);
                if (problem != null)
                {
                    problems.add(problem);
                }
            }
            assertEquals(List.of(), problems, "flights that hung or lost bytes");
        }
        finally
        {
            pool.shutdownNow();
        }
        final Map<Counter, Long> actual = new EnumMap<>(Counter.class);
        Await.until("every flight counted", () ->
        {
            actual.clear();
            final long[] now = snapshot(router);
            long total = 0;
            for (int i = 0; i < OUTCOMES.length; i++)
            {
                if (now[i] != before[i])
                {
                    actual.put(OUTCOMES[i], now[i] - before[i]);
                    total += now[i] - before[i];
                }
            }
            return total >= flights.size();
        }, actual::toString);
        assertEquals(expected, actual, "outcome counters moved by the predicted histogram");
        return actual;
    }

    private static long[] snapshot(final RouterUnderTest router)
    {
        final long[] values = new long[OUTCOMES.length];
        for (int i = 0; i < OUTCOMES.length; i++)
        {
            values[i] = router.count(OUTCOMES[i]);
        }
        return values;
    }

    /** Sends one flight; returns null when it ended as it should, else what went wrong. */
    private static String send(final InetSocketAddress vip, final HostileFlights.Flight flight, final Expected outcome)
    {
        try (Socket socket = Loopback.connect(vip, 5_000))
        {
            try
            {
                Loopback.write(socket, flight.bytes());
            }
            catch (final IOException ex)
            {
                return outcome.echoed() ? flight.name() + ": write failed " + ex : null;
            }
            if (outcome.echoed())
            {
                final byte[] back = Loopback.readExactly(socket.getInputStream(), outcome.echo().length);
                return Arrays.equals(back, outcome.echo()) ? null : flight.name() + ": echoed bytes differ";
            }
            final Loopback.End end = Loopback.readToEnd(socket);
            return end == Loopback.End.TIMEOUT ? flight.name() + ": not closed within 5 s (expected " + outcome + ")" : null;
        }
        catch (final IOException ex)
        {
            return outcome.echoed() ? flight.name() + ": " + ex : null;
        }
    }

    private static Expected predictPlain(final byte[] bytes)
    {
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        final ProxyHeaderStatus signature = ProxyHeaderParser.signature(view, 0, bytes.length);
        if (signature == ProxyHeaderStatus.OK)
        {
            return new Expected(Counter.REJECTED_PROXY_HEADER, null);
        }
        if (signature == ProxyHeaderStatus.NEED_MORE_DATA)
        {
            return new Expected(bytes.length >= PEEK_MAX_BYTES ? Counter.REJECTED_PROXY_HEADER : Counter.PEEK_TIMEOUT, null);
        }
        final FirstFlightParser parser = new FirstFlightParser(PEEK_MAX_BYTES, true, true);
        PeekStatus status = parser.parse(view, 0, bytes.length);
        if (status == PeekStatus.NEED_MORE_DATA)
        {
            return new Expected(bytes.length >= PEEK_MAX_BYTES ? Counter.PEEK_TOO_LARGE : Counter.PEEK_TIMEOUT, null);
        }
        switch (status)
        {
            case OK:
                final String name = parser.name().getStringWithoutLengthAscii(0, parser.nameLength());
                return new Expected(Counter.PEEK_OK, name.equals(HostileFlights.HOST) ? bytes : null);
            case NO_NAME:
                return new Expected(Counter.PEEK_NO_NAME, null);
            case NOT_RECOGNISED:
                return new Expected(Counter.PEEK_NOT_RECOGNISED, null);
            case MALFORMED:
                return new Expected(Counter.PEEK_MALFORMED, null);
            default:
                return new Expected(Counter.PEEK_TOO_LARGE, null);
        }
    }

    private static Expected predictProxied(final byte[] bytes)
    {
        final ProxyHeaderParser proxy = new ProxyHeaderParser();
        final ProxyHeaderStatus status = proxy.parse(new UnsafeBuffer(bytes), 0, bytes.length);
        if (status == ProxyHeaderStatus.NEED_MORE_DATA)
        {
            return new Expected(Counter.PEEK_TIMEOUT, null);
        }
        if (status != ProxyHeaderStatus.OK)
        {
            return new Expected(Counter.REJECTED_PROXY_HEADER, null);
        }
        final byte[] rest = Arrays.copyOfRange(bytes, proxy.headerLength(), bytes.length);
        if (rest.length == 0)
        {
            return new Expected(Counter.PEEK_TIMEOUT, null);
        }
        return predictPlain(rest);
    }
}
