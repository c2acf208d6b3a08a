package io.gatehouse.cli;

import io.gatehouse.router.loop.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code gatehouse -V} prints: the version and commit the jar was built from (the build writes
 * {@code git.properties} next to this class), the Netty version on the class path, the JVM, and which
 * transports this host can run now (io_uring and epoll need their native library and the kernel's
 * support; NIO always runs). Main thread; allocates freely.
 */
public final class VersionInfo implements CommandLine.IVersionProvider
{
    static final String GIT_PROPERTIES = "git.properties";

    @Override
    public String[] getVersion()
    {
        return lines().toArray(String[]::new);
    }

    static List<String> lines()
    {
        final Properties git = git();
        final String version = git.getProperty("git.build.version", "unknown");
        final String commit = git.getProperty("git.commit.id.abbrev", "unknown")
            + ("true".equals(git.getProperty("git.dirty")) ? " (modified)" : "");
        final List<String> lines = new ArrayList<>();
        lines.add("gatehouse " + version);
        lines.add("commit: " + commit + describe(git));
        lines.add("netty: " + nettyVersion());
        lines.add("java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        lines.add("transports: " + transports());
        return lines;
    }

    private static String describe(final Properties git)
    {
        final String describe = git.getProperty("git.commit.id.describe", "");
        return describe.isEmpty() || describe.startsWith(git.getProperty("git.commit.id.abbrev", "-")) ? "" : " (" + describe + ")";
    }

    static Properties git()
    {
        final Properties properties = new Properties();
        try (InputStream in = VersionInfo.class.getResourceAsStream(GIT_PROPERTIES))
        {
            if (in != null)
            {
                properties.load(in);
            }
        }
        catch (final IOException ignored)
        {
            // an unreadable resource reads as "unknown"
        }
        return properties;
    }

    static String nettyVersion()
    {
        final io.netty.util.Version common = io.netty.util.Version.identify().get("netty-common");
        return common == null ? "unknown" : common.artifactVersion();
    }

    /** {@code io_uring, epoll, nio (auto picks epoll)}, or each unavailable one with why. */
    static String transports()
    {
        final List<String> usable = new ArrayList<>();
        final List<String> not = new ArrayList<>();
        for (final Transport transport : Transport.values())
        {
            final String name = transport.name().toLowerCase(Locale.ROOT);
            if (transport.isAvailable())
            {
                usable.add(name);
            }
            else
            {
                not.add(name + " not available" + cause(transport));
            }
        }
        final String auto = Transport.select(io.gatehouse.router.config.RuntimeConfig.Transport.AUTO).name().toLowerCase(Locale.ROOT);
        return String.join(", ", usable) + " (auto picks " + auto + ")" + (not.isEmpty() ? "" : "; " + String.join("; ", not));
    }

    private static String cause(final Transport transport)
    {
        final Throwable cause = switch (transport)
        {
            case IO_URING -> io.netty.channel.uring.IoUring.unavailabilityCause();
            case EPOLL -> io.netty.channel.epoll.Epoll.unavailabilityCause();
            default -> null;
        };
        return cause == null ? "" : " (" + cause.getMessage() + ")";
    }
}
