package io.gatehouse.router.systemd;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the checkout the tests run from (surefire's working directory is the module's). */
public final class SourceTree
{
    private SourceTree()
    {
    }

    /** The repository root: the nearest directory upwards holding {@code systemd/gatehouse.service}. */
    public static Path root()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null)
        {
            if (Files.isRegularFile(dir.resolve("systemd/gatehouse.service")))
            {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no systemd/gatehouse.service above " + Path.of("").toAbsolutePath());
    }

    public static Path systemd(final String file)
    {
        return root().resolve("systemd").resolve(file);
    }
}
