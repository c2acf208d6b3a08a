package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsSource;
import io.gatehouse.router.metrics.SnapshotWriter;

import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * {@code gatehouse_build_info{version, commit, netty, transport} 1}: what is running, for dashboards and
 * alerts that compare hosts. The version and commit come from {@code build.properties} (filled in by Maven;
 * the commit from {@code -Dgatehouse.commit=...}, else {@code unknown}), Netty's from its own jar. Immutable.
 */
public final class BuildInfo implements MetricsSource
{
    private final String version;
    private final String commit;
    private final String netty;
    private final String transport;

    /** @param transport the event loops' transport as the router chose it ({@code io_uring}, {@code epoll}, {@code nio}). */
    public BuildInfo(final String transport)
    {
        final Properties build = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties"))
        {
            if (in != null)
            {
                build.load(in);
            }
        }
        catch (final IOException ex)
        {
            // Left as unknown below.
        }
        this.version = build.getProperty("version", "unknown");
        this.commit = build.getProperty("commit", "unknown");
        final Version common = Version.identify().get("netty-common");
        this.netty = common == null ? "unknown" : common.artifactVersion();
        this.transport = transport;
    }

    public String version()
    {
        return version;
    }

    public String commit()
    {
        return commit;
    }

    public String netty()
    {
        return netty;
    }

    @Override
    public void writeTo(final SnapshotWriter writer)
    {
        writer.info("gatehouse_build_info", "The running build: gatehouse version and commit, Netty version, transport.")
            .sample(1, "version", version, "commit", commit, "netty", netty, "transport", transport);
    }
}
