package io.gatehouse.router.loop;

import io.gatehouse.router.config.RuntimeConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.ThreadAwareExecutor;

/** A Netty transport the event loops run on. Control thread only. */
public enum Transport
{
    IO_URING, EPOLL, NIO;

    private static final String ACCEPT_MULTISHOT_PROPERTY = "io.netty.iouring.acceptMultiShotEnabled";
    private static final String POLL_ADD_MULTISHOT_PROPERTY = "io.netty.iouring.pollAddMultishotEnabled";
    private static final String CQ_SIZE_PROPERTY = "io.netty.iouring.cqSize";
    /** Completion queue entries per io_uring event loop (Netty's default: 4,096). */
    static final int CQ_SIZE = 1024;

    static
    {
        // Netty 4.2.18 re-arms a multishot accept that ended in an error even while auto-read is off, so a
        // listener at its fd limit would spin on EMFILE. Single-shot accepts honour the pause that
        // AcceptBackoff asks for. Set before IoUring's static initialiser reads it; an explicit -D wins.
        if (System.getProperty(ACCEPT_MULTISHOT_PROPERTY) == null)
        {
            System.setProperty(ACCEPT_MULTISHOT_PROPERTY, "false");
        }
        // Netty 4.2.18 waits for POLLIN with a multishot POLL_ADD, which reports a new wake-up, not a
        // level: bytes and the RST right behind them arrive as one wake-up, the recv takes the bytes, and
        // the reset is then never reported (the channel stays open until the idle timeout). One-shot polls
        // are re-armed level-triggered and see it. bench-results/netty-repro/README.md has the reproduction.
        if (System.getProperty(POLL_ADD_MULTISHOT_PROPERTY) == null)
        {
            System.setProperty(POLL_ADD_MULTISHOT_PROPERTY, "false");
        }
        // Netty 4.2.18 sizes each loop's completion queue at 4,096 entries and keeps a DirectByteBuffer
        // slice per entry for extra CQE data (4,096 objects, 256 KiB of heap per loop, plus the ring's
        // pages): 1,024 is 1.0-1.7 MiB less resident at idle with two loops, and no CPU per connection
        // more in the same run (bench-results/2026-12-01-*-footprint.md). The queue only has to hold the
        // completions of one loop turn (the ring submits at most 128 at a time; a one-shot POLL_ADD per
        // waiting channel), and a full one does not lose any: kernels since 5.5 keep the overflow
        // (IORING_FEAT_NODROP) until it is reaped. An explicit -D wins.
        if (System.getProperty(CQ_SIZE_PROPERTY) == null)
        {
            System.setProperty(CQ_SIZE_PROPERTY, Integer.toString(CQ_SIZE));
        }
    }

    /**
     * The transport a config asks for: {@code AUTO} is epoll when the native library loads, else
     * io_uring, else NIO. epoll first: there the relay runs on the raw sockets (recv/send or splice,
     * no Netty pipeline per read), which costs less CPU per request, per connection and per byte than
     * io_uring's Netty channels (bench-results/2026-12-02-f87f92c.md); it is also what systemd's
     * sockets need, and it runs where io_uring is turned off (container seccomp profiles,
     * {@code kernel.io_uring_disabled}).
     *
     * @throws IllegalStateException when an explicitly named transport is unavailable here.
     */
    public static Transport select(final RuntimeConfig.Transport wanted)
    {
        switch (wanted)
        {
            case IO_URING:
                if (!IoUring.isAvailable())
                {
                    throw new IllegalStateException("transport io_uring is not available: " + IoUring.unavailabilityCause());
                }
                return IO_URING;
            case EPOLL:
                if (!Epoll.isAvailable())
                {
                    throw new IllegalStateException("transport epoll is not available: " + Epoll.unavailabilityCause());
                }
                return EPOLL;
            case NIO:
                return NIO;
            default:
                if (Epoll.isAvailable())
                {
                    return EPOLL;
                }
                return IoUring.isAvailable() ? IO_URING : NIO;
        }
    }

    /** True when this transport can run here. */
    public boolean isAvailable()
    {
        switch (this)
        {
            case IO_URING:
                return IoUring.isAvailable();
            case EPOLL:
                return Epoll.isAvailable();
            default:
                return true;
        }
    }

    /**
     * True when a new channel must be registered with its loop only after the loop's current batch of I/O
     * events: Netty 4.2.18's epoll handler finds the channel of each ready event by fd number, so a
     * socket opened during a batch on the number of one closed earlier in that batch is handed the closed
     * socket's leftover events (its RST, its EPOLLRDHUP). A connecting backend then clears its interest
     * set, epoll_ctl(DEL) removes it while Netty still thinks it is added, and its first read fails with
     * epoll_ctl ENOENT (bench-results/netty-repro/README.md). Registered from a task, a channel's fd
     * is in the epoll set only from the next epoll_wait on, which never reports a closed fd.
     */
    public boolean registersAfterIoBatch()
    {
        return this == EPOLL;
    }

    /**
     * The loop's I/O handler, with Netty's loop suspension turned off: a factory that says it supports
     * changing threads makes its loops account their active I/O time, three clock reads per loop turn
     * (about 8% of the loop's user time under keep-alive on epoll), for an auto-scaling that gatehouse,
     * one loop per core for the process's life, never uses.
     */
    public IoHandlerFactory ioHandlerFactory()
    {
        return new FixedThread(nettyFactory());
    }

    private IoHandlerFactory nettyFactory()
    {
        switch (this)
        {
            case IO_URING:
                return IoUringIoHandler.newFactory();
            case EPOLL:
                EpollEvents.cacheCombinations(); // no event objects built per combined-flags event
                return EpollIoHandler.newFactory();
            default:
                return NioIoHandler.newFactory();
        }
    }

    /** A Netty handler factory whose loops stay on their thread (no suspension, no active-time clock reads). */
    private static final class FixedThread implements IoHandlerFactory
    {
        private final IoHandlerFactory netty;

        FixedThread(final IoHandlerFactory netty)
        {
            this.netty = netty;
        }

        @Override
        public IoHandler newHandler(final ThreadAwareExecutor executor)
        {
            return netty.newHandler(executor);
        }

        @Override
        public boolean isChangingThreadSupported()
        {
            return false;
        }
    }

    public Class<? extends ServerChannel> serverChannelClass()
    {
        switch (this)
        {
            case IO_URING:
                return IoUringServerSocketChannel.class;
            case EPOLL:
                return EpollServerSocketChannel.class;
            default:
                return NioServerSocketChannel.class;
        }
    }

    public Class<? extends Channel> socketChannelClass()
    {
        switch (this)
        {
            case IO_URING:
                return IoUringSocketChannel.class;
            case EPOLL:
                return EpollSocketChannel.class;
            default:
                return NioSocketChannel.class;
        }
    }

    /**
     * A new, unregistered client socket channel of this transport (a plain constructor call).
     *
     * @param ipv4 the socket will only ever connect to an IPv4 address: on epoll an AF_INET socket, not
     *             Netty's default dual-stack AF_INET6 one, which costs a setsockopt(IPV6_V6ONLY) per
     *             connection (io_uring's channel has no such constructor; NIO's default is the JDK's).
     */
    public Channel newSocketChannel(final boolean ipv4)
    {
        switch (this)
        {
            case IO_URING:
                return new IoUringSocketChannel();
            case EPOLL:
                return ipv4 ? new EpollSocketChannel(SocketProtocolFamily.INET) : new EpollSocketChannel();
            default:
                return new NioSocketChannel();
        }
    }

    /**
     * Asks the kernel not to complete an accept until the client's first bytes are there
     * (TCP_DEFER_ACCEPT, seconds; 0 leaves it off): one loop turn fewer per connection, and a client
     * that never speaks never reaches the router. epoll and io_uring only; NIO has no such option.
     */
    public void deferAccept(final ServerBootstrap bootstrap, final int seconds)
    {
        if (seconds <= 0)
        {
            return;
        }
        switch (this)
        {
            case IO_URING:
                bootstrap.option(IoUringChannelOption.TCP_DEFER_ACCEPT, seconds);
                break;
            case EPOLL:
                bootstrap.option(EpollChannelOption.TCP_DEFER_ACCEPT, seconds);
                break;
            default:
                break;
        }
    }

    /** True when each event loop binds its own listening socket with SO_REUSEPORT. */
    public boolean listensPerLoop()
    {
        return this != NIO;
    }
}
