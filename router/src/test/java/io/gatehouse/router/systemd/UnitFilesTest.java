package io.gatehouse.router.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.config.RuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The unit files, the sysctl drop-in and the sample config, checked with systemd's own tools where present. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnitFilesTest
{
    private static final double EXPOSURE_BOUND = 2.5;
    private static final long COMMAND_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void shouldPassSystemdAnalyzeVerify() throws Exception
    {
        assumeTrue(Command.onPath("systemd-analyze"), "systemd-analyze is not installed (package systemd): units not verified");
        final String service = StandInLauncher.stage(dir, StandInLauncher.write(dir), "gatehouse.service");
        assertTrue(service.contains("ExecStart=/opt/gatehouse/bin/gatehouse run --config /etc/gatehouse/gatehouse.yaml"));
        Files.copy(SourceTree.systemd("gatehouse.socket"), dir.resolve("gatehouse.socket"));

        final Command verify = Command.run(List.of("systemd-analyze", "verify", "gatehouse.service", "gatehouse.socket"), dir, Map.of(), COMMAND_TIMEOUT_MS);
        assertEquals(0, verify.exitCode(), verify.output());
        assertEquals("", verify.output().strip(), "systemd-analyze verify has complaints");
    }

    @Test
    void shouldScoreOfflineExposureWithinBoundAndAsReadmeStates() throws Exception
    {
        assumeTrue(Command.onPath("systemd-analyze"), "systemd-analyze is not installed (package systemd): security not scored");
        final Command security = Command.run(
            List.of("systemd-analyze", "security", "--offline=true", "--no-pager", SourceTree.systemd("gatehouse.service").toString()),
            dir, Map.of(), COMMAND_TIMEOUT_MS);
        final Matcher overall = Pattern.compile("Overall exposure level for gatehouse\\.service: (\\d+\\.\\d)").matcher(security.output());
        assertTrue(overall.find(), security.output());
        final double exposure = Double.parseDouble(overall.group(1));
        assertTrue(exposure <= EXPOSURE_BOUND, "exposure " + exposure + " > " + EXPOSURE_BOUND + "\n" + security.output());

        final Matcher stated = Pattern.compile("overall exposure level (\\d+\\.\\d)").matcher(Files.readString(SourceTree.systemd("README.md")));
        assertTrue(stated.find(), "systemd/README.md states no exposure figure");
        assertEquals(overall.group(1), stated.group(1), "systemd/README.md states another exposure than systemd-analyze gives");
    }

    @Test
    void shouldNotifyReloadBySighupAndHoldOnlyTheBindCapability() throws Exception
    {
        final Map<String, List<String>> service = directives(SourceTree.systemd("gatehouse.service"));
        assertEquals(List.of("notify"), service.get("Type"));
        final String check = "/opt/gatehouse/bin/gatehouse check --config /etc/gatehouse/gatehouse.yaml";
        assertEquals(List.of(check, "/bin/kill -HUP $MAINPID"), service.get("ExecReload"),
            "systemctl reload validates first and fails on a bad config, as HAProxy's unit does");
        assertEquals(List.of(check), service.get("ExecStartPre"));
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), service.get("AmbientCapabilities"));
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), service.get("CapabilityBoundingSet"));
        assertEquals(List.of("yes"), service.get("DynamicUser"));
        assertEquals(List.of("yes"), service.get("NoNewPrivileges"));
        assertTrue(Long.parseLong(service.get("LimitNOFILE").get(0)) >= 1_000_000, "LimitNOFILE");
        assertFalse(service.containsKey("MemoryDenyWriteExecute"), "the JIT needs writable executable memory");
        final String javaOpts = String.join(" ", service.get("Environment"));
        assertTrue(javaOpts.contains("GATEHOUSE_JAVA_OPTS=-Xms"), javaOpts);
        assertTrue(Files.readString(SourceTree.root().resolve("bin/gatehouse")).contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED"),
            "the launcher the unit runs passes Agrona's export");
    }

    @Test
    void shouldLetTheDocumentedAccessLogOpenUnderProtectSystemStrict() throws Exception
    {
        final Map<String, List<String>> service = directives(SourceTree.systemd("gatehouse.service"));
        assertEquals(List.of("strict"), service.get("ProtectSystem"));
        assertEquals(List.of("gatehouse"), service.get("LogsDirectory"), "under ProtectSystem=strict only LogsDirectory= "
            + "(and ReadWritePaths=) are writable: /var/log/gatehouse must be one");
        assertFalse(service.containsKey("ReadWritePaths"));
        final String documented = "/var/log/gatehouse/access.log";
        assertTrue(Files.readString(SourceTree.root().resolve("router/README-operations.md")).contains("access_log: " + documented));
        assertTrue(Files.readString(SourceTree.systemd("gatehouse.yaml")).contains("access_log: " + documented));
        assertTrue(Files.readString(SourceTree.systemd("README.md")).contains("LogsDirectory=gatehouse"));
    }

    @Test
    void shouldHoldOneSocketPerListenerAddressOfSampleConfig() throws Exception
    {
        final Map<String, List<String>> socket = directives(SourceTree.systemd("gatehouse.socket"));
        assertEquals(List.of("yes"), socket.get("ReusePort"));
        assertEquals(List.of("yes"), socket.get("FreeBind"));
        assertEquals(List.of("gatehouse.service"), socket.get("Service"));
        assertEquals(1, socket.get("FileDescriptorName").size());

        final GatehouseConfig sample = ConfigLoader.load(SourceTree.systemd("gatehouse.yaml"));
        final List<String> listenerAddresses = sample.listeners().stream().map(listener -> listener.address().toString()).toList();
        assertFalse(listenerAddresses.isEmpty());
        assertEquals(RuntimeConfig.Transport.EPOLL, sample.runtime().transport(), "only epoll adopts inherited sockets");
        final long stopTimeoutMs = Long.parseLong(directives(SourceTree.systemd("gatehouse.service")).get("TimeoutStopSec").get(0)) * 1_000;
        assertTrue(sample.runtime().drainTimeoutMs() < stopTimeoutMs, "systemd must not kill a drain that is on time");
        assertEquals(listenerAddresses, socket.get("ListenStream"), "gatehouse.socket must listen on every listener address of gatehouse.yaml");
    }

    @Test
    void shouldCommentEverySysctlSettingAndNameKeysTheKernelHas() throws Exception
    {
        final List<String> lines = Files.readAllLines(SourceTree.systemd("99-gatehouse.conf"));
        final Path procSys = Path.of("/proc/sys");
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            assertTrue(line.matches("[a-z0-9_.-]+ = \\S.*"), "not `key = value`: " + line);
            int above = i - 1;
            while (above >= 0 && !lines.get(above).isBlank() && !lines.get(above).startsWith("#"))
            {
                above--;
            }
            assertTrue(above >= 0 && lines.get(above).startsWith("#"), "no comment says why: " + line);
            final String key = line.substring(0, line.indexOf(' '));
            if (Files.isDirectory(procSys.resolve("net")))
            {
                assertTrue(Files.exists(procSys.resolve(key.replace('.', '/'))), "the kernel has no " + key);
            }
        }
    }

    /** {@code Key=Value} lines of a unit file, all sections together, values in file order. */
    private static Map<String, List<String>> directives(final Path unit) throws Exception
    {
        final Map<String, List<String>> directives = new LinkedHashMap<>();
        for (final String raw : Files.readAllLines(unit))
        {
            final String line = raw.strip();
            final int equals = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("[") || equals < 0)
            {
                continue;
            }
            directives.computeIfAbsent(line.substring(0, equals), key -> new ArrayList<>()).add(line.substring(equals + 1));
        }
        return directives;
    }
}
