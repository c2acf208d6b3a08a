package io.gatehouse.router.reliability;

import io.gatehouse.router.Await;
import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.metrics.Counter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** A router in this JVM started from YAML text (the same text a child process would read), and its counters. */
final class RouterUnderTest implements AutoCloseable
{
    private final Router router;

    private RouterUnderTest(final Router router)
    {
        this.router = router;
    }

    static RouterUnderTest start(final Path dir, final String yaml) throws Exception
    {
        final Path file = dir.resolve("gatehouse.yaml");
        Files.writeString(file, yaml);
        return new RouterUnderTest(Router.start(ConfigLoader.load(file)));
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
    }
}
