package io.gatehouse.router.systemd;

import io.gatehouse.router.Router;
import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for {@link RouterSocketActivationTest}: {@code Router.start(config)} (which adopts the
 * sockets systemd passed), READY=1, then STOPPING=1 and a drain when stdin closes. Prints
 * {@code SERVING <transport> <bound address>} on stdout once ready.
 */
public final class RouterUnderSystemd
{
    private RouterUnderSystemd()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final GatehouseConfig config = ConfigLoader.load(Path.of(args[0]));
        try (Router router = Router.start(config); SystemdNotifier notifier = SystemdNotifier.fromEnvironment())
        {
            notifier.ready();
            System.out.println("SERVING " + router.transport() + " " + router.boundAddress(config.listeners().get(0).name()));
            System.out.flush();
            while (System.in.read() >= 0)
            {
                continue;
            }
            notifier.stopping();
            router.drain(Duration.ofSeconds(2));
        }
    }
}
