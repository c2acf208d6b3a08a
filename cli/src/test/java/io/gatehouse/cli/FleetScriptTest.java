package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench-results/fleet --ci}: three gatehouse hosts behind one VIP announced by BGP (BIRD 2),
 * an ECMP upstream, backends and a client, each in a network namespace the script makes and removes.
 * Runs the script on this build's classes and asserts its exit status and its printed figures: every
 * host within 15% of a third of the new connections, one backend per client address through every
 * host, a drain under 500 new connections/s that withdraws before its listener closes and refuses
 * nothing, a crash under the same load whose failures stay within the BFD bound, and hosts announced
 * again only once they serve. Skipped when not root or when {@code ip netns} does not work here, except
 * in CI ({@code CI=true}, as {@code .ci/run} is run), where that fails instead: CI is the proof the issue
 * asks for, and a skip there would pass without it. Never leaves a namespace behind.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FleetScriptTest
{
    private static final Path SCRIPT = Path.of("..", "bench-results", "fleet").toAbsolutePath().normalize();
    private static final Pattern SPREAD = Pattern.compile(
        "fleet: spread: (\\d+) new connections at \\d+/s: h1=(\\d+) h2=(\\d+) h3=(\\d+) ");
    private static final Pattern CONSISTENCY = Pattern.compile(
        "fleet: consistency: (\\d+) client addresses, (\\d+) reached all three hosts \\(\\d+ connections\\), (\\d+) got one backend");
    private static final Pattern DRAIN = Pattern.compile(
        "fleet: drain h1 under (\\d+)/s: route withdrawn (-?\\d+) ms after SIGTERM, listener closed (-?\\d+) ms after .*exit (\\d+) ");
    private static final Pattern CRASH = Pattern.compile(
        "fleet: crash h2 under (\\d+)/s: route gone (-?\\d+) ms after kill -9 .*?, (\\d+) of (\\d+) connections failed .*\\(allowed (\\d+)\\)");

    @TempDir
    Path dir;

    private boolean ran;

    @AfterEach
    void shouldLeaveNoNamespaceBehind() throws Exception
    {
        if (!ran)
        {
            return;
        }
        final String left = ghfNamespaces();
        if (!left.isEmpty())
        {
            run(List.of(SCRIPT.toString(), "--cleanup"), 60);
        }
        assertEquals("", left, "namespaces left behind by bench-results/fleet (now removed)");
    }

    @Test
    void shouldSpreadDrainSurviveACrashAndTakeBackHostsBehindOneVip() throws Exception
    {
        runnableHere("0".equals(output(List.of("id", "-u")).trim()), "bench-results/fleet needs root for network namespaces");
        runnableHere(run(List.of("ip", "netns", "list"), 10) == 0, "ip netns is not available here");

        final Path out = dir.resolve("fleet.out");
        final Path err = dir.resolve("fleet.err");
        final ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "--ci")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        builder.environment().put("GATEHOUSE_CP", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ran = true;
        final Process process = builder.start();
        if (!process.waitFor(240, TimeUnit.SECONDS))
        {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        final String figures = Files.readString(out);
        final String detail = figures + "\n--- stderr ---\n" + tail(err);
        System.out.println(figures);
        runnableHere(process.exitValue() != 77, "bench-results/fleet cannot run here: " + tail(err));
        assertEquals(0, process.exitValue(), detail);
        assertTrue(figures.contains("fleet: RESULT: PASS"), detail);
        for (final String check : List.of("spread", "consistency", "drain", "return-h1", "crash", "return-h2"))
        {
            assertTrue(figures.contains("fleet: check " + check + ": ok"), check + ": " + detail);
        }

        final Matcher spread = find(SPREAD, figures, detail);
        final int total = Integer.parseInt(spread.group(1));
        assertTrue(total >= 2_900, "about 3,000 new connections: " + spread.group());
        for (int host = 2; host <= 4; host++)
        {
            final int landed = Integer.parseInt(spread.group(host));
            assertTrue(Math.abs(landed * 3 - total) <= total * 15 / 100, "within 15% of a third: " + spread.group());
        }
        final Matcher consistency = find(CONSISTENCY, figures, detail);
        assertEquals(consistency.group(1), consistency.group(2), consistency.group());
        assertEquals(consistency.group(1), consistency.group(3), consistency.group());
        final Matcher drain = find(DRAIN, figures, detail);
        assertTrue(Integer.parseInt(drain.group(1)) >= 500, "the drain under 500 new connections/s: " + drain.group());
        assertTrue(Long.parseLong(drain.group(2)) >= 0 && Long.parseLong(drain.group(2)) < Long.parseLong(drain.group(3)),
            "withdrawn before the listener closed: " + drain.group());
        assertEquals("0", drain.group(4), drain.group());
        final Matcher crash = find(CRASH, figures, detail);
        assertTrue(Integer.parseInt(crash.group(1)) >= 500, "the crash under 500 new connections/s: " + crash.group());
        assertTrue(Long.parseLong(crash.group(2)) > 0, crash.group());
        assertTrue(Integer.parseInt(crash.group(3)) <= Integer.parseInt(crash.group(5)), crash.group());
    }

    /** A skip where the script cannot run, but a failure in CI, which must run it. */
    private static void runnableHere(final boolean runnable, final String why)
    {
        if ("true".equals(System.getenv("CI")))
        {
            assertTrue(runnable, why + " (CI=true: CI must run bench-results/fleet, see .ci/run)");
        }
        assumeTrue(runnable, why);
    }

    private static Matcher find(final Pattern pattern, final String text, final String detail)
    {
        final Matcher matcher = pattern.matcher(text);
        assertTrue(matcher.find(), "no line matching " + pattern + " in:\n" + detail);
        return matcher;
    }

    private static String ghfNamespaces() throws Exception
    {
        final StringBuilder left = new StringBuilder();
        for (final String line : output(List.of("ip", "netns", "list")).split("\n"))
        {
            if (line.startsWith("ghf-"))
            {
                left.append(line.split(" ")[0]).append(' ');
            }
        }
        return left.toString().trim();
    }

    private static String tail(final Path file) throws IOException
    {
        final String text = Files.readString(file);
        return text.length() <= 6_000 ? text : text.substring(text.length() - 6_000);
    }

    private static int run(final List<String> command, final int seconds) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    private static String output(final List<String> command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return text;
    }
}
