package io.gatehouse.router.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.TlsBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The close-pattern contract (issue 11), subclassed once per transport and relay mode. One router child
 * process per subclass; each test drives one {@link ClosePattern} through it with
 * {@code gatehouse.lifecycle.connections} connections (default 300; a quarter of that over TLS) from
 * {@code gatehouse.lifecycle.concurrency} client threads (default 16), then checks the cell:
 * <ul>
 *   <li>every byte delivered both ways (each side checks the other's bytes), 0 client-visible failures;
 *   <li>every connection reached the backend, and 0 backend connect failures were counted against it;
 *   <li>one access-log line per connection (by the pattern's name; unique {@code id}s when the log has
 *       them), each with one of the pattern's {@code end} reasons;
 *   <li>{@code gatehouse_connections_active} and the router's connection fds (sockets, pipes, event fds;
 *       {@link RouterChild#fds}) back to what they were before the pattern ran (sockets and event fds
 *       exactly; splice pipes up to the bound of the loops' pipe pools), with no Netty leak report on the
 *       router's stderr.
 * </ul>
 * All findings of a cell are gathered into one failure message, and each cell prints one
 * {@code lifecycle-cell:} line (the row of bench-results/lifecycle.md). Waits poll with deadlines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
abstract class ClosePatternContract
{
    static final int CONNECTIONS = Integer.getInteger("gatehouse.lifecycle.connections", 300);
    static final int CONCURRENCY = Integer.getInteger("gatehouse.lifecycle.concurrency", 16);
    /** A cell stops starting connections after this many client failures: its verdict is known, and each may cost a read timeout. */
    static final int FAIL_FAST = Integer.getInteger("gatehouse.lifecycle.failFast", 48);
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final int WARM_UP_ID = 1_000_000;
    private static final Pattern NAME = Pattern.compile("\"name\":\"([^\"]*)\"");
    private static final Pattern END = Pattern.compile("\"end\":(null|\"([^\"]*)\")");
    private static final Pattern ID = Pattern.compile("\"id\":(\"[^\"]*\"|[0-9]+)");

    private Path dir;
    private ScriptedBackend backend;
    private RouterChild router;
    private SSLContext clientTls;
    private long nextId;

    /** {@code io_uring}, {@code epoll} or {@code nio}, as {@code runtime.transport} names it. */
    abstract String transport();

    /** {@code copy} or {@code splice}, as a listener's {@code relay} names it. */
    abstract String relay();

    @BeforeAll
    void startRouter() throws Exception
    {
        assumeTrue(available(transport()), transport() + " is not available on this kernel");
        dir = Files.createTempDirectory("gatehouse-lifecycle-" + transport() + "-" + relay() + "-");
        backend = new ScriptedBackend(dir);
        final StringBuilder plainHosts = new StringBuilder();
        for (final ClosePattern pattern : ClosePattern.values())
        {
            if (!pattern.tls())
            {
                plainHosts.append(plainHosts.length() == 0 ? "" : ", ").append(pattern.host());
            }
        }
        router = RouterChild.start(dir, transport(), relay(),
            "      - hostnames: [" + plainHosts + "]\n"
            + "        backends: [\"127.0.0.1:" + backend.plainAddress().getPort() + "\"]\n"
            + "      - hostnames: [" + ClosePattern.TLS_CLOSE_NOTIFY.host() + "]\n"
            + "        backends: [\"127.0.0.1:" + backend.tlsAddress().getPort() + "\"]\n");
        clientTls = TlsBackend.trustingClientContext();
        // One connection of every pattern first: classes, jars and buffers the router opens once are open
        // before any cell counts fds.
        for (final ClosePattern pattern : ClosePattern.values())
        {
            final Queue<String> failures = new ConcurrentLinkedQueue<>();
            connectOne(pattern, WARM_UP_ID + pattern.ordinal(), failures, new AtomicLong());
        }
        for (final ClosePattern pattern : ClosePattern.values())
        {
            RouterChild.settle(5, () -> !lines(pattern.host()).isEmpty());
        }
    }

    @AfterAll
    void stopRouter() throws Exception
    {
        if (router != null)
        {
            router.close();
        }
        if (backend != null)
        {
            backend.close();
        }
        if (dir != null)
        {
            try (java.util.stream.Stream<Path> files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void shouldEndOnceAsClientClosedWhenTheClientClosesFirst() throws Exception
    {
        cell(ClosePattern.CLIENT_CLOSES);
    }

    @Test
    void shouldEndOnceAsBackendClosedWhenTheBackendClosesFirst() throws Exception
    {
        cell(ClosePattern.BACKEND_CLOSES);
    }

    @Test
    void shouldEndOnceWhenTheClientResetsRightAfterTheBackendsFin() throws Exception
    {
        cell(ClosePattern.CLIENT_RESET_AFTER_BACKEND_FIN);
    }

    @Test
    void shouldDeliverWhatWasSentBeforeTheBackendResetsMidStream() throws Exception
    {
        cell(ClosePattern.BACKEND_RESET_MID_STREAM);
    }

    @Test
    void shouldForwardTheClientsHalfCloseAndTheWholeAnswer() throws Exception
    {
        cell(ClosePattern.CLIENT_HALF_CLOSE);
    }

    @Test
    void shouldDeliverTheAnswerWhenTheBackendResetsAfterTheClientHalfCloses() throws Exception
    {
        cell(ClosePattern.BACKEND_RESET_AFTER_CLIENT_HALF_CLOSE);
    }

    @Test
    void shouldKeepTheClientsTailFlowingAfterTheBackendHalfCloses() throws Exception
    {
        cell(ClosePattern.BACKEND_HALF_CLOSE_TAIL);
    }

    @Test
    void shouldEndOnceAsClientResetWhenTheClientClosesWithUnreadData() throws Exception
    {
        cell(ClosePattern.CLOSE_WITH_UNREAD_DATA);
    }

    @Test
    void shouldEndOnceWhenBothSidesCloseAtOnce() throws Exception
    {
        cell(ClosePattern.BOTH_CLOSE);
    }

    @Test
    void shouldRelayTlsToCloseNotifyAndEndOnce() throws Exception
    {
        cell(ClosePattern.TLS_CLOSE_NOTIFY);
    }

    private void cell(final ClosePattern pattern) throws Exception
    {
        assertTrue(router.isAlive(), "router died before " + pattern + ": " + router.stderrTail());
        final String host = pattern.host();
        final long activeBefore = router.activeConnections();
        final RouterChild.Fds fdsBefore = router.fds();
        final long connectFailuresBefore = router.metric("gatehouse_backend_connect_failures_total");
        final int linesBefore = lines(host).size();
        final long servedBefore = backend.served(pattern);
        final long lostBefore = backend.lostBytes(pattern);
        final int backendFailuresBefore = backend.failures(pattern).size();

        final Queue<String> clientFailures = new ConcurrentLinkedQueue<>();
        final AtomicLong clientLost = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final int connections = connections(pattern);
        final long firstId = nextId;
        nextId += connections;
        final long startNs = System.nanoTime();
        final ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
        for (int t = 0; t < CONCURRENCY; t++)
        {
            final int thread = t;
            clients.execute(() ->
            {
                for (long i = thread; i < connections; i += CONCURRENCY)
                {
                    if (clientFailures.size() >= FAIL_FAST)
                    {
                        skipped.incrementAndGet();
                        continue;
                    }
                    connectOne(pattern, firstId + i, clientFailures, clientLost);
                }
            });
        }
        clients.shutdown();
        final boolean finished = clients.awaitTermination(300, TimeUnit.SECONDS);
        if (!finished)
        {
            clients.shutdownNow();
        }
        final long clientMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        final List<String> problems = new ArrayList<>();
        if (!finished)
        {
            problems.add("clients still running after 300 s");
        }
        // Settle: each check polls until it holds or its deadline passes, and what it saw then is the figure.
        final long started = connections - skipped.get();
        RouterChild.settle(10, () -> backend.served(pattern) - servedBefore >= started);
        RouterChild.settle(10, () -> router.activeConnections() <= activeBefore);
        RouterChild.settle(5, () -> lines(host).size() - linesBefore >= started);
        RouterChild.settle(5, () -> fdsBefore.covers(router.fds(), pipeAllowance()));

        final long served = backend.served(pattern) - servedBefore;
        final long leftActive = router.activeConnections() - activeBefore;
        final RouterChild.Fds fdsAfter = router.fds();
        final int leftFds = fdsBefore.excess(fdsAfter, pipeAllowance());
        final long connectFailures = router.metric("gatehouse_backend_connect_failures_total") - connectFailuresBefore;
        final List<String> newLines = lines(host);
        final List<String> cellLines = newLines.subList(Math.min(linesBefore, newLines.size()), newLines.size());
        final Map<String, Integer> ends = new TreeMap<>();
        final Map<String, Integer> ids = new TreeMap<>();
        int wrongEnds = 0;
        for (final String line : cellLines)
        {
            final Matcher end = END.matcher(line);
            final String reason = end.find() ? String.valueOf(end.group(2)) : "(none)";
            ends.merge(reason, 1, Integer::sum);
            if (!pattern.ends.contains(reason))
            {
                wrongEnds++;
            }
            final Matcher id = ID.matcher(line);
            if (id.find())
            {
                ids.merge(id.group(1), 1, Integer::sum);
            }
        }
        final List<String> backendFailures = new ArrayList<>(backend.failures(pattern));
        final List<String> cellBackendFailures = backendFailures.subList(backendFailuresBefore, backendFailures.size());
        final List<String> headless = backend.takeUnattributed();
        final long lost = clientLost.get() + backend.lostBytes(pattern) - lostBefore;
        final boolean leakReport = router.stderr().contains("LEAK:");

        if (!clientFailures.isEmpty())
        {
            problems.add(clientFailures.size() + " client failures, e.g. " + first(clientFailures));
        }
        if (!cellBackendFailures.isEmpty())
        {
            problems.add(cellBackendFailures.size() + " backend failures, e.g. " + first(cellBackendFailures));
        }
        if (!headless.isEmpty())
        {
            problems.add(headless.size() + " backend connections without the client's head, e.g. " + first(headless));
        }
        if (lost != 0)
        {
            problems.add(lost + " bytes lost");
        }
        if (skipped.get() != 0)
        {
            problems.add(skipped.get() + " of " + connections + " connections not started after " + FAIL_FAST + " client failures");
        }
        if (served != started)
        {
            problems.add("the backend served " + served + " of " + started + " connections");
        }
        if (connectFailures != 0)
        {
            problems.add(connectFailures + " backend connect failures counted against a healthy backend");
        }
        if (cellLines.size() != started)
        {
            problems.add(cellLines.size() + " access-log lines for " + started + " connections");
        }
        if (wrongEnds != 0)
        {
            problems.add(wrongEnds + " lines with an end other than " + pattern.ends + ": " + ends);
        }
        final long duplicateIds = ids.values().stream().filter(count -> count > 1).count();
        if (duplicateIds != 0)
        {
            problems.add(duplicateIds + " connection ids logged more than once");
        }
        if (leftActive > 0)
        {
            problems.add("gatehouse_connections_active " + leftActive + " above its value before the cell (" + activeBefore + ")");
        }
        if (leftFds > 0)
        {
            problems.add(leftFds + " router fds above their count before the cell (before " + fdsBefore + ", after " + fdsAfter + ")");
        }
        if (leakReport)
        {
            problems.add("Netty leak report on the router's stderr");
        }
        System.out.println("lifecycle-cell: " + transport() + " " + relay() + " " + pattern.label
            + " connections=" + started + " concurrency=" + CONCURRENCY + " client_ms=" + clientMs
            + " bytes_lost=" + lost + " client_failures=" + clientFailures.size() + " backend_failures="
            + (cellBackendFailures.size() + headless.size()) + " connect_failures=" + connectFailures
            + " log_lines=" + cellLines.size() + " wrong_ends=" + wrongEnds + " ends=" + ends
            + " left_active=" + Math.max(0, leftActive) + " left_fds=" + Math.max(0, leftFds)
            + (leakReport ? " leak_report" : "") + (problems.isEmpty() ? " PASS" : " FAIL"));
        assertTrue(problems.isEmpty(), transport() + " " + relay() + " " + pattern + ": " + String.join("; ", problems));
    }

    /**
     * Pipe fds the router may hold beyond the count before a cell without a leak: a splice loop keeps up
     * to {@code SplicePipePool.MAX_IDLE_PIPES} (32) idle pipes of two fds, filled as concurrency first
     * needs them; copy relays hold none.
     */
    private int pipeAllowance()
    {
        return relay().equals("splice") ? RouterChild.WORKERS * 32 * 2 : 0;
    }

    /**
     * Connections in one cell: {@link #CONNECTIONS}, a quarter of that over TLS (two JDK handshakes per
     * connection in this JVM cost about as much as the rest of a cell on two cores).
     */
    private static int connections(final ClosePattern pattern)
    {
        return pattern.tls() ? Math.max(1, CONNECTIONS / 4) : CONNECTIONS;
    }

    /** One connection of {@code pattern}: its failure, if any, goes to {@code failures}, its missing bytes to {@code lost}. */
    private void connectOne(final ClosePattern pattern, final long id, final Queue<String> failures, final AtomicLong lost)
    {
        final Conversation conversation = Conversation.of(pattern, id);
        Socket socket = null;
        try
        {
            socket = new Socket();
            socket.connect(router.vip(), 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            final Socket tcp = socket;
            if (pattern.tls())
            {
                socket = tlsOver(socket);
            }
            pattern.client(conversation, socket, backend);
            if (pattern.tls())
            {
                // The TLS client's EOF is the close_notify record, which travels ahead of the server's
                // FIN: before it closes, the client also waits for that FIN under TLS (nothing follows
                // close_notify), so the router sees the backend's FIN first, as the pattern says.
                Conversation.expectEof(tcp, "the server's FIN after its close_notify");
            }
        }
        catch (final Conversation.ShortRead ex)
        {
            failures.add("client, connection " + id + ": " + ex.getMessage());
            lost.addAndGet(ex.missing);
        }
        catch (final Exception | AssertionError ex)
        {
            failures.add("client, connection " + id + ": " + ex);
        }
        finally
        {
            if (socket != null)
            {
                try
                {
                    socket.close();
                }
                catch (final IOException ex)
                {
                    // Already closed by the pattern.
                }
            }
        }
    }

    private SSLSocket tlsOver(final Socket socket) throws IOException
    {
        final InetSocketAddress vip = router.vip();
        final SSLSocket tls = (SSLSocket)clientTls.getSocketFactory().createSocket(socket, vip.getHostString(), vip.getPort(), true);
        final SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(ClosePattern.TLS_CLOSE_NOTIFY.host())));
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(READ_TIMEOUT_MS);
        return tls;
    }

    /** The access log's lines for {@code host}, in the order written. */
    private List<String> lines(final String host)
    {
        final List<String> lines = new ArrayList<>();
        try
        {
            if (!Files.exists(router.accessLog()))
            {
                return lines;
            }
            for (final String line : Files.readAllLines(router.accessLog(), StandardCharsets.UTF_8))
            {
                final Matcher name = NAME.matcher(line);
                if (name.find() && name.group(1).equals(host) && line.endsWith("}"))
                {
                    lines.add(line);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError("access log unreadable: " + ex, ex);
        }
        return lines;
    }

    private static String first(final Iterable<String> failures)
    {
        final StringBuilder out = new StringBuilder();
        int n = 0;
        for (final String failure : failures)
        {
            if (n++ == 3)
            {
                break;
            }
            out.append(n == 1 ? "" : " | ").append(failure);
        }
        return out.toString();
    }

    private static boolean available(final String transport)
    {
        switch (transport)
        {
            case "io_uring":
                return io.netty.channel.uring.IoUring.isAvailable();
            case "epoll":
                return io.netty.channel.epoll.Epoll.isAvailable();
            default:
                return true;
        }
    }
}
