package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.admin.AdminServer;
import io.gatehouse.router.metrics.MetricsRegistry;
import io.gatehouse.router.admin.Readiness;
import io.gatehouse.router.config.HostPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gatehouse announce} against a real BIRD 2 (its own control socket, a static protocol that is
 * never exported to a kernel) and the router's real {@code /ready} ({@link AdminServer} over a
 * {@link Readiness}): the protocol is enabled only after the router turns ready, disabled when it
 * drains or its admin endpoint dies, kept disabled across a BIRD restart until a probe passes again,
 * and disabled when the announcer itself is stopped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnnounceCommandTest
{
    private static final Path BIRD = Path.of("/usr/sbin/bird");

    @TempDir
    Path dir;

    private Process bird;
    private ExecutorService thread;

    @BeforeEach
    void startBird() throws Exception
    {
        assumeTrue(Files.isExecutable(BIRD), "bird is not installed at " + BIRD + " (apt-get install bird2)");
        Files.writeString(dir.resolve("bird.conf"), """
            router id 192.0.2.1;
            protocol static vip {
              disabled yes;
              ipv4;
              route 203.0.113.10/32 blackhole;
            }
            """);
        bird = startBirdProcess();
        thread = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() throws Exception
    {
        if (thread != null)
        {
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(10, TimeUnit.SECONDS), "the announcer's thread ended");
        }
        if (bird != null)
        {
            bird.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldAnnounceOnlyWhileTheRouterIsReadyAndWithdrawOnEveryFailure() throws Exception
    {
        final Readiness readiness = new Readiness();
        AdminServer admin = AdminServer.start(new HostPort("127.0.0.1", 0), new MetricsRegistry(), null, readiness);
        final int adminPort = admin.boundAddress().getPort();
        final AnnounceCommand command = new AnnounceCommand();
        command.handleSignals = false;
        final CommandLine commandLine = new CommandLine(command);
        final Output cli = new Output();
        commandLine.setErr(new PrintWriter(cli.err, true));
        final Future<Integer> announce = thread.submit(() -> commandLine.execute("--ready", "http://127.0.0.1:" + adminPort + "/ready",
            "--bird-socket", socket().toString(), "--protocol", "vip", "--interval", "20ms", "--rise", "2"));
        try
        {
            Await.until("the announcer talks to BIRD", () -> cli.err.toString().contains("connected to BIRD"), cli.err::toString);
            for (int i = 0; i < 10; i++)
            {
                assertEquals("down", protocolState(), "starting: not announced");
            }
            readiness.ready();
            Await.until("announced once ready", () -> "up".equals(protocolState()), cli.err::toString);

            readiness.draining();
            Await.until("withdrawn at the drain", () -> "down".equals(protocolState()), cli.err::toString);
            // BIRD applies the disable before the announcer has read BIRD's reply and logged it.
            Await.until("the withdrawal logged with its reason", () -> cli.err.toString().contains("vip withdrawn (/ready 503)"),
                cli.err::toString);

            admin.close();
            final Readiness second = new Readiness();
            second.ready();
            admin = AdminServer.start(new HostPort("127.0.0.1", adminPort), new MetricsRegistry(), null, second);
            Await.until("announced again once a new router is ready", () -> "up".equals(protocolState()), cli.err::toString);

            admin.close();
            Await.until("withdrawn when the router is gone", () -> "down".equals(protocolState()), cli.err::toString);
            Await.until("the withdrawal logged with its reason", () -> cli.err.toString().contains("vip withdrawn (/ready ConnectException"),
                cli.err::toString);
            final Readiness third = new Readiness();
            third.ready();
            admin = AdminServer.start(new HostPort("127.0.0.1", adminPort), new MetricsRegistry(), null, third);
            Await.until("announced with the third router", () -> "up".equals(protocolState()), cli.err::toString);

            bird.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Await.until("the announcer sees BIRD gone", () -> cli.err.toString().contains("retrying every tick"), cli.err::toString);
            bird = startBirdProcess();
            Await.until("announced again after the BIRD restart, the router being ready", () -> "up".equals(protocolState()),
                cli.err::toString);
            assertFalse(announce.isDone(), cli.err.toString());
        }
        finally
        {
            admin.close();
        }
        Await.until("withdrawn with no router after the restart", () -> "down".equals(protocolState()), cli.err::toString);
        final Readiness last = new Readiness();
        last.ready();
        admin = AdminServer.start(new HostPort("127.0.0.1", adminPort), new MetricsRegistry(), null, last);
        try
        {
            Await.until("announced", () -> "up".equals(protocolState()), cli.err::toString);
            command.stop.countDown();
            assertEquals(0, announce.get(20, TimeUnit.SECONDS), cli.err.toString());
            assertEquals("down", protocolState(), "a stopped announcer withdraws: " + cli.err);
            assertTrue(cli.err.toString().contains("vip withdrawn (stopping)"), cli.err.toString());
        }
        finally
        {
            admin.close();
        }
    }

    @Test
    void shouldRefuseBadArgumentsWithExitTwo()
    {
        for (final String[] args : new String[][] {
            {"announce", "--protocol", "vip; shutdown"},
            {"announce", "--interval", "fast"},
            {"announce", "--ready", "ftp://127.0.0.1/ready"},
            {"announce", "--rise", "0"}})
        {
            final InProcessCli cli = new InProcessCli();
            assertEquals(2, cli.run(args), cli.err.toString());
            assertTrue(cli.err.toString().startsWith("gatehouse announce: "), cli.err.toString());
        }
    }

    @Test
    void shouldReadBirdRepliesAndErrorsWithADeadline() throws Exception
    {
        try (BirdControl control = BirdControl.connect(socket(), 2_000))
        {
            assertTrue(control.greeting().startsWith("BIRD 2."), control.greeting());
            assertTrue(control.command("enable vip").has(BirdControl.ENABLED));
            assertTrue(control.command("enable vip").has(BirdControl.ALREADY_ENABLED));
            assertTrue(control.command("disable vip").has(BirdControl.DISABLED));
            assertTrue(control.command("disable vip").has(BirdControl.ALREADY_DISABLED));
            assertTrue(control.command("enable nosuch").isError());
            assertTrue(control.command("show protocols vip").text().contains("vip"));
            assertThrows(IllegalArgumentException.class, () -> control.command("disable vip\nenable vip"));
        }
        assertThrows(IOException.class, () -> BirdControl.connect(dir.resolve("no-such.ctl"), 500));
    }

    /** What the in-process announcer printed. */
    private static final class Output
    {
        final StringWriter err = new StringWriter();
    }

    private Path socket()
    {
        return dir.resolve("bird.ctl");
    }

    private Process startBirdProcess() throws Exception
    {
        Files.deleteIfExists(socket());
        final Process process = new ProcessBuilder(BIRD.toString(), "-f", "-c", dir.resolve("bird.conf").toString(),
            "-s", socket().toString(), "-P", dir.resolve("bird.pid").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("bird.log").toFile())
            .start();
        // the socket file exists from BIRD's bind(2), before its listen(2): wait for a greeting, not for the file
        Await.until("BIRD's control socket", () -> controlAnswers() || !process.isAlive(), this::birdLog);
        assertTrue(process.isAlive(), birdLog());
        return process;
    }

    private boolean controlAnswers()
    {
        if (!Files.exists(socket()))
        {
            return false;
        }
        try (BirdControl control = BirdControl.connect(socket(), 500))
        {
            return control.greeting().startsWith("BIRD");
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private String birdLog()
    {
        try
        {
            return Files.readString(dir.resolve("bird.log"));
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    /** The protocol's state as {@code birdc show protocols} gives it ("up", "down"), or null when BIRD cannot be asked. */
    private String protocolState()
    {
        try (BirdControl control = BirdControl.connect(socket(), 2_000))
        {
            final String[] lines = control.command("show protocols vip").text().split("\n");
            for (final String line : lines)
            {
                final String[] words = line.trim().split("\\s+");
                if (words.length >= 4 && words[0].equals("vip"))
                {
                    return words[3];
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
