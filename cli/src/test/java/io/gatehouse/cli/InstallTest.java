package io.gatehouse.cli;

import io.gatehouse.router.systemd.ChildJvm;
import io.gatehouse.router.systemd.Command;
import io.gatehouse.router.systemd.NotifySocket;
import io.gatehouse.router.systemd.SourceTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** systemd/install and systemd/uninstall staged under DESTDIR, and the installed launcher run from there. */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InstallTest
{
    private static final long COMMAND_TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void shouldInstallUpgradeAndUninstallUnderDestdir() throws Exception
    {
        final Path jars = jarsOfThisBuild(dir.resolve("jars"));
        final Path stage = dir.resolve("stage");
        final Map<String, String> env = Map.of("DESTDIR", stage.toString(), "JAVA_HOME", System.getProperty("java.home"));
        final Path install = SourceTree.systemd("install");
        final Path uninstall = SourceTree.systemd("uninstall");

        final Command installed = Command.run(List.of("bash", install.toString(), "--jars", jars.toString()), null, env, COMMAND_TIMEOUT_MS);
        assertEquals(0, installed.exitCode(), installed.output());
        final Path launcher = stage.resolve("opt/gatehouse/bin/gatehouse");
        final Path config = stage.resolve("etc/gatehouse/gatehouse.yaml");
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(launcher)));
        assertTrue(Files.isRegularFile(stage.resolve("opt/gatehouse/lib/gatehouse-router.jar")));
        assertTrue(jarNamed(stage.resolve("opt/gatehouse/lib/xds"), "gatehouse-xds"), "the xds module sits apart in lib/xds/");
        assertTrue(jarNamed(stage.resolve("opt/gatehouse/lib/xds"), "grpc-core"), "with what only it needs");
        assertFalse(jarNamed(stage.resolve("opt/gatehouse/lib"), "gatehouse-xds"), "neither is on the class path");
        assertFalse(jarNamed(stage.resolve("opt/gatehouse/lib"), "grpc-core"), "neither is on the class path");
        assertFalse(Files.exists(stage.resolve("opt/gatehouse/lib/gatehouse.jsa")), "no AppCDS archive under DESTDIR without --cds");
        assertTrue(Files.isRegularFile(stage.resolve("opt/gatehouse/systemd/README.md")));
        assertTrue(Files.isExecutable(stage.resolve("opt/gatehouse/systemd/cds-archive")), "an archive can be made again after a JDK upgrade");
        assertEquals(Files.readString(SourceTree.systemd("gatehouse.service")), Files.readString(stage.resolve("etc/systemd/system/gatehouse.service")));
        assertEquals(Files.readString(SourceTree.systemd("gatehouse.socket")), Files.readString(stage.resolve("etc/systemd/system/gatehouse.socket")));
        // Several hosts behind one BGP VIP: the announcer's unit and the BIRD samples for a host and its upstream.
        assertEquals(Files.readString(SourceTree.systemd("gatehouse-announce.service")),
            Files.readString(stage.resolve("etc/systemd/system/gatehouse-announce.service")));
        assertEquals(Files.readString(SourceTree.systemd("bird.conf")), Files.readString(stage.resolve("opt/gatehouse/systemd/bird-host.conf")));
        assertEquals(Files.readString(SourceTree.systemd("bird-upstream.conf")),
            Files.readString(stage.resolve("opt/gatehouse/systemd/bird-upstream.conf")));
        assertEquals(Files.readString(SourceTree.systemd("99-gatehouse.conf")),
            Files.readString(stage.resolve("etc/sysctl.d/99-gatehouse.conf.disabled")));
        assertFalse(Files.exists(stage.resolve("etc/sysctl.d/99-gatehouse.conf")), "host-wide sysctls are not enabled by default");
        assertTrue(installed.output().contains("--sysctl applies them"), installed.output());
        assertEquals(Files.readString(SourceTree.systemd("gatehouse.yaml")), Files.readString(config));
        assertEquals(Path.of("/opt/gatehouse/bin/gatehouse"), Files.readSymbolicLink(stage.resolve("usr/local/bin/gatehouse")));

        // The installed layout: lib/*.jar with no pom.xml beside it, no Maven, no build.
        final Command check = Command.run(List.of(launcher.toString(), "check", "--config", config.toString()), dir, env, COMMAND_TIMEOUT_MS);
        assertEquals(0, check.exitCode(), check.output());
        assertTrue(check.output().contains("ok: 2 listeners"), check.output());
        assertFalse(check.output().contains("building"), check.output());

        // Upgrade: the operator's config stays, no jar of the old version lingers.
        Files.writeString(config, "# edited by the operator\n", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(stage.resolve("opt/gatehouse/lib/gatehouse-old-0.0.1.jar"), "stale");
        final Command upgraded = Command.run(List.of("bash", install.toString(), "--jars", jars.toString()), null, env, COMMAND_TIMEOUT_MS);
        assertEquals(0, upgraded.exitCode(), upgraded.output());
        assertTrue(Files.readString(config).endsWith("# edited by the operator\n"));
        assertFalse(Files.exists(stage.resolve("opt/gatehouse/lib/gatehouse-old-0.0.1.jar")));
        assertTrue(Files.isRegularFile(stage.resolve("opt/gatehouse/lib/gatehouse-router.jar")));

        // --sysctl enables the drop-in (sysctl --system reads *.conf); later upgrades keep it enabled.
        final Command withSysctl = Command.run(List.of("bash", install.toString(), "--jars", jars.toString(), "--sysctl"), null, env,
            COMMAND_TIMEOUT_MS);
        assertEquals(0, withSysctl.exitCode(), withSysctl.output());
        assertEquals(Files.readString(SourceTree.systemd("99-gatehouse.conf")), Files.readString(stage.resolve("etc/sysctl.d/99-gatehouse.conf")));
        assertFalse(Files.exists(stage.resolve("etc/sysctl.d/99-gatehouse.conf.disabled")));
        final Command again = Command.run(List.of("bash", install.toString(), "--jars", jars.toString()), null, env, COMMAND_TIMEOUT_MS);
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(Files.exists(stage.resolve("etc/sysctl.d/99-gatehouse.conf")));

        final Command removed = Command.run(List.of("bash", uninstall.toString()), null, env, COMMAND_TIMEOUT_MS);
        assertEquals(0, removed.exitCode(), removed.output());
        assertFalse(Files.exists(stage.resolve("opt/gatehouse")));
        assertFalse(Files.exists(stage.resolve("etc/systemd/system/gatehouse.service")));
        assertFalse(Files.exists(stage.resolve("etc/systemd/system/gatehouse.socket")));
        assertFalse(Files.exists(stage.resolve("etc/systemd/system/gatehouse-announce.service")));
        assertFalse(Files.exists(stage.resolve("etc/sysctl.d/99-gatehouse.conf")));
        assertFalse(Files.exists(stage.resolve("etc/sysctl.d/99-gatehouse.conf.disabled")));
        assertFalse(Files.exists(stage.resolve("usr/local/bin/gatehouse"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(config), "uninstall keeps the config without --purge");

        final Command purged = Command.run(List.of("bash", uninstall.toString(), "--purge"), null, env, COMMAND_TIMEOUT_MS);
        assertEquals(0, purged.exitCode(), purged.output());
        assertFalse(Files.exists(stage.resolve("etc/gatehouse")));
    }

    @Test
    void shouldMakeAnAppCdsArchiveThatALaterStartMapsAndOutlivesWhenStaleOrMissing() throws Exception
    {
        final Path stage = dir.resolve("stage");
        final Map<String, String> env = Map.of("DESTDIR", stage.toString(), "JAVA_HOME", System.getProperty("java.home"));
        final Command installed = Command.run(
            List.of("bash", SourceTree.systemd("install").toString(), "--jars", jarsOfThisBuild(dir.resolve("jars")).toString(), "--cds"),
            null, env, COMMAND_TIMEOUT_MS);
        assertEquals(0, installed.exitCode(), installed.output());
        final Path archive = stage.resolve("opt/gatehouse/lib/gatehouse.jsa");
        assertTrue(Files.isRegularFile(archive), installed.output());
        assertTrue(installed.output().contains("install: wrote " + stage.resolve("opt/gatehouse/lib/gatehouse.jsa")), installed.output());
        assertTrue(String.join(" ", Files.readAllLines(SourceTree.systemd("gatehouse.service")))
            .contains("-XX:SharedArchiveFile=/opt/gatehouse/lib/gatehouse.jsa"), "the unit maps the archive install makes");

        final Path launcher = stage.resolve("opt/gatehouse/bin/gatehouse");
        final Path config = stage.resolve("etc/gatehouse/gatehouse.yaml");
        final Map<String, String> mapped = Map.of("JAVA_HOME", System.getProperty("java.home"),
            "GATEHOUSE_JAVA_OPTS", "-XX:SharedArchiveFile=" + archive + " -Xlog:class+load=info");
        final String router = "io.gatehouse.router.config.ConfigLoader source: ";
        final Command fresh = Command.run(List.of(launcher.toString(), "check", "--config", config.toString()), dir, mapped, COMMAND_TIMEOUT_MS);
        assertEquals(0, fresh.exitCode(), fresh.output());
        // "shared objects file (top)" would be a dynamic layer over the JDK's archive; install makes one static
        // archive of the JDK's classes and the router's
        assertTrue(fresh.output().contains(router + "shared objects file\n"), "the router's classes come from the archive");

        // Stale (a jar of the class path changed since the archive was made): the JVM says so and loads from the jars.
        final Path jar = stage.resolve("opt/gatehouse/lib/gatehouse-router.jar");
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        final Command stale = Command.run(List.of(launcher.toString(), "check", "--config", config.toString()), dir, mapped, COMMAND_TIMEOUT_MS);
        assertEquals(0, stale.exitCode(), stale.output());
        assertTrue(stale.output().contains("ok: 2 listeners"), stale.output());
        assertTrue(stale.output().contains(router + "file:"), stale.output());

        Files.delete(archive);
        final Command missing = Command.run(List.of(launcher.toString(), "check", "--config", config.toString()), dir, mapped, COMMAND_TIMEOUT_MS);
        assertEquals(0, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("ok: 2 listeners"), missing.output());
    }

    @Test
    void shouldRefuseUnknownArgumentsAndJarlessDirectories() throws Exception
    {
        final Map<String, String> env = Map.of("DESTDIR", dir.resolve("stage").toString());
        final Command unknown = Command.run(List.of("bash", SourceTree.systemd("install").toString(), "--frobnicate"), null, env, COMMAND_TIMEOUT_MS);
        assertEquals(2, unknown.exitCode(), unknown.output());
        Files.createDirectories(dir.resolve("empty"));
        final Command empty = Command.run(
            List.of("bash", SourceTree.systemd("install").toString(), "--jars", dir.resolve("empty").toString()), null, env, COMMAND_TIMEOUT_MS);
        assertEquals(1, empty.exitCode(), empty.output());
        assertTrue(empty.output().contains("no jars"), empty.output());
        assertFalse(Files.exists(dir.resolve("stage/opt")), "nothing installed");
    }

    /**
     * What {@code mvn package} would put in cli/target and cli/target/lib, made from this test's class
     * path: the jars as they are, the modules' class directories packed into jars, and the xds module with
     * what only it needs in {@code xds/} (the entries cli/target/xds.classpath names, as in lib/xds/).
     */
    static Path jarsOfThisBuild(final Path jars) throws IOException
    {
        Files.createDirectories(jars.resolve("xds"));
        final Set<Path> xds = new HashSet<>();
        for (final String entry : Files.readString(SourceTree.root().resolve("cli/target/xds.classpath")).strip().split(File.pathSeparator))
        {
            xds.add(Path.of(entry).toAbsolutePath().normalize());
        }
        final String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (final String entry : classPath.split(File.pathSeparator))
        {
            final Path path = Path.of(entry);
            final Path into = xds.contains(path.toAbsolutePath().normalize()) ? jars.resolve("xds") : jars;
            if (entry.endsWith(".jar") && Files.isRegularFile(path))
            {
                Files.copy(path, into.resolve(path.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            else if (Files.isDirectory(path) && path.getFileName().toString().equals("classes"))
            {
                final String module = path.getParent().getParent().getFileName().toString();
                packJar(path, into.resolve("gatehouse-" + module + ".jar"));
            }
        }
        return jars;
    }

    /** Whether {@code dir} holds a jar whose name starts with {@code prefix}. */
    static boolean jarNamed(final Path dir, final String prefix) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(f -> f.getFileName().toString()).anyMatch(n -> n.startsWith(prefix) && n.endsWith(".jar"));
        }
    }

    private static void packJar(final Path classes, final Path jar) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream stream = new JarOutputStream(out); Stream<Path> files = Files.walk(classes))
        {
            for (final Path file : (Iterable<Path>)files.filter(Files::isRegularFile)::iterator)
            {
                stream.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, stream);
                stream.closeEntry();
            }
        }
    }
}
