package io.gatehouse.router.systemd;

import io.gatehouse.router.config.RuntimeConfig.Transport;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link SocketActivationTest}: adopts every socket systemd (or the test, doing what
 * systemd does) passed, echoes on them, notifies READY=1, and exits when its stdin closes.
 * Prints one line on stdout: {@code SERVING <count>} or {@code REFUSED <reason>}.
 */
public final class SocketActivatedEcho
{
    private SocketActivatedEcho()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final InheritedSockets inherited = InheritedSockets.fromEnvironment();
        if (inherited.status() != InheritedSockets.Status.OK)
        {
            System.out.println("REFUSED " + inherited.status() + " " + inherited.reason());
            System.exit(2);
        }
        final EventLoopGroup group = EchoServer.newGroup(2);
        int serving = 0;
        for (final InheritedSocket socket : inherited.sockets())
        {
            final ServerChannelAdopter.Adoption adoption = ServerChannelAdopter.adopt(socket, Transport.EPOLL);
            if (!adoption.adopted())
            {
                System.out.println("REFUSED " + adoption.refusal());
                System.exit(2);
            }
            final ChannelFuture registered = ServerChannelAdopter.register(EchoServer.bootstrap(group), adoption.channel());
            registered.sync();
            serving++;
        }
        try (SystemdNotifier notifier = SystemdNotifier.fromEnvironment())
        {
            notifier.ready("serving " + serving + " inherited sockets");
            System.out.println("SERVING " + serving + " " + inherited.sockets());
            System.out.flush();
            while (System.in.read() >= 0)
            {
                continue;
            }
            notifier.stopping();
        }
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
}
