package io.gatehouse.router.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code systemd-analyze verify} checks that each {@code ExecStart=} program exists: the units are
 * verified from a test directory as shipped, with {@code /opt/gatehouse/bin/gatehouse} pointed at a
 * stand-in executable there (a shell script that exits 0) and nothing else changed.
 */
final class StandInLauncher
{
    private static final String INSTALLED = "/opt/gatehouse/bin/gatehouse";

    private StandInLauncher()
    {
    }

    /** Writes the stand-in at {@code dir/opt/gatehouse/bin/gatehouse} and returns its path. */
    static Path write(final Path dir) throws IOException
    {
        final Path launcher = dir.resolve("opt/gatehouse/bin/gatehouse");
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    /**
     * Writes {@code systemd/UNIT} into {@code dir} with the installed launcher's path replaced by {@code
     * launcher}, and returns the unit as shipped (for the caller's checks on it).
     */
    static String stage(final Path dir, final Path launcher, final String unit) throws IOException
    {
        final String shipped = Files.readString(SourceTree.systemd(unit));
        Files.writeString(dir.resolve(unit), shipped.replace(INSTALLED, launcher.toString()));
        return shipped;
    }
}
