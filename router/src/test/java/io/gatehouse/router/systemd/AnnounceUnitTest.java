package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files for several hosts behind one VIP: {@code gatehouse-announce.service} passes
 * {@code systemd-analyze verify} beside the main unit and scores as well as it; the BIRD samples parse
 * with BIRD's own {@code bird -p}; and a stop fits the unit's timeout with the settle included.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AnnounceUnitTest
{
    private static final long COMMAND_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void shouldPassSystemdAnalyzeVerifyBesideTheMainUnit() throws Exception
    {
        assumeTrue(Command.onPath("systemd-analyze"), "systemd-analyze is not installed (package systemd): units not verified");
        final Path launcher = StandInLauncher.write(dir);
        for (final String unit : List.of("gatehouse-announce.service", "gatehouse.service"))
        {
            assertTrue(StandInLauncher.stage(dir, launcher, unit).contains("ExecStart=/opt/gatehouse/bin/gatehouse "), unit);
        }
        Files.copy(SourceTree.systemd("gatehouse.socket"), dir.resolve("gatehouse.socket"));
        final Command verify = Command.run(
            List.of("systemd-analyze", "verify", "gatehouse-announce.service", "gatehouse.service", "gatehouse.socket"), dir, Map.of(),
            COMMAND_TIMEOUT_MS);
        assertEquals(0, verify.exitCode(), verify.output());
        assertEquals("", verify.output().strip(), "systemd-analyze verify has complaints");

        final Command security = Command.run(
            List.of("systemd-analyze", "security", "--offline=true", "--no-pager", SourceTree.systemd("gatehouse-announce.service").toString()),
            dir, Map.of(), COMMAND_TIMEOUT_MS);
        final Matcher overall = Pattern.compile("Overall exposure level for gatehouse-announce\\.service: (\\d+\\.\\d)").matcher(security.output());
        assertTrue(overall.find(), security.output());
        assertTrue(Double.parseDouble(overall.group(1)) <= 2.5, "exposure " + overall.group(1));
    }

    @Test
    void shouldWithdrawWhicheverWayTheAnnouncerEnds() throws Exception
    {
        final String unit = Files.readString(SourceTree.systemd("gatehouse-announce.service"));
        assertTrue(unit.contains("\nBindsTo=gatehouse.service\n"), "stops with gatehouse");
        assertTrue(unit.contains("\nAfter=gatehouse.service"), "stops before gatehouse: the withdrawal precedes the drain");
        assertTrue(unit.contains("\nExecStopPost=-/usr/sbin/birdc -s /run/bird/bird.ctl disable vip\n"), "withdraws after a crash too");
        final String bird = Files.readString(SourceTree.systemd("bird.conf"));
        assertTrue(Pattern.compile("protocol static vip \\{\\s*disabled yes;").matcher(bird).find(),
            "a restarted BIRD starts with the VIP withdrawn");
    }

    @Test
    void shouldParseTheBirdSamplesWithBird() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/bird")), "bird is not installed (apt-get install bird2): samples not parsed");
        for (final String sample : List.of("bird.conf", "bird-upstream.conf"))
        {
            final Command parse = Command.run(List.of("/usr/sbin/bird", "-p", "-c", SourceTree.systemd(sample).toString()), dir, Map.of(),
                COMMAND_TIMEOUT_MS);
            assertEquals(0, parse.exitCode(), sample + ": " + parse.output());
        }
    }

    @Test
    void shouldFitSettleAndDrainInsideTheStopTimeout() throws Exception
    {
        final GatehouseConfig sample = ConfigLoader.load(SourceTree.systemd("gatehouse.yaml"));
        final Matcher stop = Pattern.compile("\nTimeoutStopSec=(\\d+)\n").matcher(Files.readString(SourceTree.systemd("gatehouse.service")));
        assertTrue(stop.find());
        final long stopMs = Long.parseLong(stop.group(1)) * 1_000;
        final long needMs = sample.runtime().drainSettleMs() + sample.runtime().drainTimeoutMs();
        assertTrue(needMs < stopMs, "settle + drain (" + needMs + " ms) must end before systemd kills at " + stopMs + " ms");
    }
}
