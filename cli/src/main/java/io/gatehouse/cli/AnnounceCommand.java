package io.gatehouse.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse announce}: ties this host's VIP announcement to the router's {@code GET /ready}, using
 * BIRD as it is. BIRD's config holds the VIP routes in a {@code static} protocol that starts
 * {@code disabled} and is exported by BGP; every {@code --interval} this command asks {@code /ready} and
 * then tells BIRD, over its control socket, {@code enable} (after {@code --rise} answers of 200 in a
 * row) or {@code disable} (at the first other answer, refused connection or timeout). It says so every
 * tick, not only on a change, so BIRD's state is reconciled rather than remembered: a restarted BIRD
 * (protocol disabled again) or a hand-typed {@code birdc enable} is put right at the next tick.
 *
 * <p>Fail safe: router dead, wedged or draining: withdrawn within one interval (plus the probe
 * timeout). BIRD restarted: withdrawn until a probe passes again. This command stopped by SIGTERM or
 * SIGINT: it withdraws, then exits 0. This command killed: the unit's {@code ExecStopPost=birdc
 * disable} withdraws (systemd/gatehouse-announce.service). The whole host dead: BGP's hold timer or
 * BFD on the upstream. See systemd/README.md.
 *
 * <p>Main thread only, plus the signal handler that ends the loop; allocates freely (control path).
 */
@Command(name = "announce", mixinStandardHelpOptions = true,
    description = "Follow the router's GET /ready and enable or disable the BIRD protocol(s) holding this host's VIP routes.")
public final class AnnounceCommand implements Callable<Integer>
{
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");
    private static final Pattern BIRD_SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    @Spec
    CommandSpec spec;

    @Option(names = "--ready", paramLabel = "URL", defaultValue = "http://127.0.0.1:9901/ready",
        description = "The router's readiness URL (default: ${DEFAULT-VALUE}); announced only while it answers 200.")
    String ready;

    @Option(names = "--bird-socket", paramLabel = "PATH", defaultValue = "/run/bird/bird.ctl",
        description = "BIRD's control socket (default: ${DEFAULT-VALUE}).")
    Path birdSocket;

    @Option(names = "--protocol", paramLabel = "NAME", defaultValue = "vip", split = ",",
        description = "The BIRD protocol(s) holding the VIP routes, e.g. vip4,vip6 (default: ${DEFAULT-VALUE}).")
    List<String> protocols;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "500ms",
        description = "Time between two probes (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s",
        description = "Deadline of one probe, and of one BIRD reply (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--rise", defaultValue = "2", description = "Answers of 200 in a row before announcing (default: ${DEFAULT-VALUE}).")
    int rise;

    @Option(names = "--fall", defaultValue = "1", description = "Failed probes in a row before withdrawing (default: ${DEFAULT-VALUE}).")
    int fall;

    /** Counted down by SIGTERM/SIGINT (or by a test that runs the command in its own JVM) to stop. */
    final CountDownLatch stop = new CountDownLatch(1);
    /** Off in tests that run the command in-process and stop it through {@link #stop}. */
    boolean handleSignals = true;

    private PrintWriter err;
    private String lastProblem = "";

    @Override
    public Integer call() throws InterruptedException
    {
        err = spec.commandLine().getErr();
        final long intervalMs;
        final long timeoutMs;
        final URI readyUri;
        try
        {
            intervalMs = parseDuration("--interval", interval);
            timeoutMs = parseDuration("--timeout", timeout);
            readyUri = URI.create(ready);
            if (!"http".equals(readyUri.getScheme()) || readyUri.getHost() == null)
            {
                throw new IllegalArgumentException("--ready: expected an http:// URL, got '" + ready + "'");
            }
            for (final String protocol : protocols)
            {
                if (!BIRD_SYMBOL.matcher(protocol).matches())
                {
                    throw new IllegalArgumentException("--protocol: '" + protocol + "' is not a BIRD protocol name");
                }
            }
            if (rise < 1 || fall < 1)
            {
                throw new IllegalArgumentException("--rise and --fall must be at least 1");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("gatehouse announce: " + ex.getMessage());
            err.flush();
            return 2;
        }

        if (handleSignals)
        {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.countDown());
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> stop.countDown());
        }
        final Announcement announcement = new Announcement(rise, fall);
        log("following " + ready + " for BIRD protocol(s) " + String.join(",", protocols) + " at " + birdSocket
            + " every " + intervalMs + " ms (rise " + rise + ", fall " + fall + ")");
        BirdControl bird = null;
        try
        {
            while (stop.getCount() > 0)
            {
                final long tickNs = System.nanoTime();
                final String answer = probe(readyUri, timeoutMs);
                final boolean announce = announcement.onProbe(answer.equals("200"));
                bird = tell(bird, announce, "/ready " + answer, timeoutMs);
                final long leftMs = intervalMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tickNs);
                stop.await(Math.max(1, leftMs), TimeUnit.MILLISECONDS);
            }
            bird = tell(bird, false, "stopping", timeoutMs);
        }
        finally
        {
            close(bird);
        }
        log("stopped");
        return 0;
    }

    /** Tells BIRD the state every protocol should be in; returns the connection to keep, or null after a failure. */
    private BirdControl tell(final BirdControl current, final boolean announce, final String why, final long timeoutMs)
    {
        BirdControl bird = current;
        try
        {
            if (bird == null)
            {
                bird = BirdControl.connect(birdSocket, timeoutMs);
                log("connected to " + bird.greeting());
                lastProblem = "";
            }
            for (final String protocol : protocols)
            {
                final BirdControl.Reply reply = bird.command((announce ? "enable " : "disable ") + protocol);
                if (reply.isError())
                {
                    problem("BIRD refused '" + (announce ? "enable " : "disable ") + protocol + "': " + reply.text());
                }
                else if (reply.has(BirdControl.ENABLED))
                {
                    log(protocol + " announced (" + why + ")");
                }
                else if (reply.has(BirdControl.DISABLED))
                {
                    log(protocol + " withdrawn (" + why + ")");
                }
            }
            return bird;
        }
        catch (final IOException ex)
        {
            problem("BIRD control socket " + birdSocket + ": " + ex.getMessage() + "; retrying every tick");
            close(bird);
            return null;
        }
    }

    private static String probe(final URI uri, final long timeoutMs)
    {
        HttpURLConnection connection = null;
        try
        {
            connection = (HttpURLConnection)uri.toURL().openConnection();
            connection.setConnectTimeout((int)timeoutMs);
            connection.setReadTimeout((int)timeoutMs);
            connection.setUseCaches(false);
            final int status = connection.getResponseCode();
            (status < 400 ? connection.getInputStream() : connection.getErrorStream()).readAllBytes();
            return Integer.toString(status);
        }
        catch (final IOException | RuntimeException ex)
        {
            return ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
        finally
        {
            if (connection != null)
            {
                connection.disconnect();
            }
        }
    }

    private void problem(final String line)
    {
        if (!line.equals(lastProblem))
        {
            lastProblem = line;
            log(line);
        }
    }

    private void close(final BirdControl bird)
    {
        if (bird != null)
        {
            try
            {
                bird.close();
            }
            catch (final IOException ex)
            {
                log("closing the BIRD control socket: " + ex.getMessage());
            }
        }
    }

    private void log(final String line)
    {
        err.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " gatehouse announce: " + line);
        err.flush();
    }

    static long parseDuration(final String option, final String text)
    {
        final Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches())
        {
            throw new IllegalArgumentException(option + ": expected a duration such as 500ms or 1s, got '" + text + "'");
        }
        final long amount = Long.parseLong(matcher.group(1));
        final long ms = switch (matcher.group(2))
        {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            default -> amount * 60_000;
        };
        if (ms < 10 || ms > 600_000)
        {
            throw new IllegalArgumentException(option + " must be between 10ms and 10m, got " + text);
        }
        return ms;
    }
}
