package io.gatehouse.router.reliability;

import io.gatehouse.router.Await;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.health.HealthMonitor;
import io.gatehouse.router.metrics.Counter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.concurrent.SystemNanoClock;

/**
 * A router in this JVM started from YAML text (the same text a child process would read), with a health
 * monitor as {@code gatehouse run} has (so passive ejection acts), and its counters.
 */
final class RouterUnderTest implements AutoCloseable
{
    private final Router router;
    private final HealthMonitor health;

    private RouterUnderTest(final Router router, final HealthMonitor health)
    {
        this.router = router;
        this.health = health;
    }

    static RouterUnderTest start(final Path dir, final String yaml) throws Exception
    {
        final Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, yaml);
        final HealthMonitor health = HealthMonitor.startDefault(1);
        try
        {
            return new RouterUnderTest(Router.start(ConfigLoader.load(file), SystemNanoClock.INSTANCE, health), health);
        }
        catch (final Exception | Error ex)
        {
            health.close();
            throw ex;
        }
    }

    Router router()
    {
        return router;
    }

    InetSocketAddress vip(final String listener)
    {
        return router.boundAddress(listener);
    }

    long count(final Counter counter)
    {
        return router.metrics().total(counter);
    }

    void awaitNoConnections()
    {
        Await.until("no client connection open", () -> router.metrics().activeConnections() == 0,
            () -> "active " + router.metrics().activeConnections());
    }

    @Override
    public void close()
    {
        router.close();
        health.close();
    }
}
