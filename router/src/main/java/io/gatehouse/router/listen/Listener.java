package io.gatehouse.router.listen;

import io.gatehouse.router.loop.Transport;
import io.gatehouse.router.loop.Worker;
import io.gatehouse.router.route.ListenerState;
import io.gatehouse.router.route.SnapshotRef;

import io.gatehouse.router.config.HostPort;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.relay.RawClientSocket;
import io.gatehouse.router.sequence.ChannelClientEnd;
import io.gatehouse.router.sequence.Sequencer;
import io.gatehouse.router.policy.RejectReason;
import io.gatehouse.router.session.EndReason;
import io.gatehouse.router.session.Session;
import io.gatehouse.router.systemd.InheritedSocket;
import io.gatehouse.router.systemd.ServerChannelAdopter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.unix.UnixChannelOption;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One configured listener, bound: on io_uring and epoll one SO_REUSEPORT listening socket per event
 * loop, each of whose accepted connections stays on that loop (the kernel spreads connections, there is
 * no shared accept queue); on NIO one socket whose connections are spread over the loops. It finds its
 * serving state by slot in the current {@link RoutingSnapshot}, so a reload changes its routes without
 * rebinding. Binding and closing run on the control thread; {@link Acceptor} runs on event loops.
 */
public final class Listener
{
    private static final int BACKLOG = 4096;
    /**
     * TCP_DEFER_ACCEPT seconds on listeners without a server_first route (a server-first client says
     * nothing, so a deferred accept would hold it back). A measured lever (bench-results/), off unless
     * set: {@code -Dgatehouse.listen.deferAcceptSeconds=1}.
     */
    private static final int DEFER_ACCEPT_SECONDS = Integer.getInteger("gatehouse.listen.deferAcceptSeconds", 0);
    /**
     * On epoll, accepted connections are {@link RawClientSocket}s with no Netty channel (except on a listener
     * with a server-first route); {@code -Dgatehouse.accept.channel=true} gives every one a channel (the
     * A/B benchmarks' other side).
     */
    private static final boolean CHANNEL_CLIENTS = Boolean.getBoolean("gatehouse.accept.channel");

    private final String name;
    private final HostPort address;
    private final int slot;
    private final Worker[] workers;
    private final EventLoopGroup group;
    private final SnapshotRef snapshots;
    private final List<Channel> serverChannels = new ArrayList<>();
    /** On epoll, the listening sockets with no channel (guarded by {@link #serverChannels}' lock too). */
    private final List<RawListenSocket> rawSockets = new ArrayList<>();
    private volatile boolean accepting = true;
    private InetSocketAddress boundAddress;
    private List<InheritedSocket> inherited = List.of();

    public Listener(
        final String name,
        final HostPort address,
        final int slot,
        final Worker[] workers,
        final EventLoopGroup group,
        final SnapshotRef snapshots)
    {
        this.name = name;
        this.address = address;
        this.slot = slot;
        this.workers = workers;
        this.group = group;
        this.snapshots = snapshots;
    }

    public String name()
    {
        return name;
    }

    public HostPort address()
    {
        return address;
    }

    public int slot()
    {
        return slot;
    }

    /** The address actually bound (the real port when the config said 0). */
    public InetSocketAddress boundAddress()
    {
        return boundAddress;
    }

    /**
     * Serve these listening sockets, passed by systemd (socket activation), instead of binding new ones.
     * Call before {@link #bind()}; the transport must be epoll (see {@link ServerChannelAdopter}).
     */
    public void inherit(final List<InheritedSocket> sockets)
    {
        inherited = List.copyOf(sockets);
    }

    /** The descriptors this listener adopts (empty when it binds its own sockets). */
    public List<Integer> inheritedFds()
    {
        final List<Integer> fds = new ArrayList<>();
        for (final InheritedSocket socket : inherited)
        {
            fds.add(socket.fd());
        }
        return fds;
    }

    /**
     * Binds every socket of this listener, or none. With inherited sockets it adopts them instead: one
     * accepting event loop per socket (spread over the loops), accepted connections spread over all loops.
     *
     * @throws BindFailure naming the address when any socket cannot be bound or adopted.
     */
    public void bind() throws BindFailure
    {
        final Transport transport = workers[0].transport();
        if (!inherited.isEmpty())
        {
            adoptInherited(transport);
            return;
        }
        InetSocketAddress target;
        try
        {
            target = new InetSocketAddress(address.host(), address.port());
            if (target.isUnresolved())
            {
                throw new BindFailure(address.toString(), new IllegalArgumentException("unknown host " + address.host()));
            }
            if (transport.listensPerLoop())
            {
                // the snapshot holding this listener is published before it binds
                final ListenerState state = snapshots.current().listener(slot);
                final boolean clientSpeaksFirst = state != null && state.routes().serverFirstRoute() == null;
                for (final Worker worker : workers)
                {
                    if (transport == Transport.EPOLL && !CHANNEL_CLIENTS)
                    {
                        final Acceptor acceptor = new Acceptor(worker, worker.loop());
                        final RawListenSocket socket = RawListenSocket.bind(worker, name, acceptor::acceptRaw, target,
                            BACKLOG, clientSpeaksFirst ? DEFER_ACCEPT_SECONDS : 0);
                        synchronized (serverChannels)
                        {
                            rawSockets.add(socket);
                        }
                        target = socket.localAddress();
                        continue;
                    }
                    final ServerBootstrap bootstrap = new ServerBootstrap()
                        .group(worker.loop(), worker.loop())
                        .channel(transport.serverChannelClass())
                        .option(UnixChannelOption.SO_REUSEPORT, true)
                        .handler(new AcceptBackoff(worker, name, new Acceptor(worker, worker.loop())));
                    if (clientSpeaksFirst)
                    {
                        transport.deferAccept(bootstrap, DEFER_ACCEPT_SECONDS);
                    }
                    final Channel channel = bind(bootstrap, target);
                    target = (InetSocketAddress)channel.localAddress();
                }
            }
            else
            {
                final ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(workers[0].loop(), group)
                    .channel(transport.serverChannelClass())
                    .handler(new AcceptBackoff(workers[0], name, new Acceptor(null, group)));
                final Channel channel = bind(bootstrap, target);
                target = (InetSocketAddress)channel.localAddress();
            }
        }
        catch (final BindFailure ex)
        {
            close();
            throw ex;
        }
        catch (final Exception ex)
        {
            close();
            throw new BindFailure(address.toString(), ex);
        }
        boundAddress = target;
    }

    private void adoptInherited(final Transport transport) throws BindFailure
    {
        try
        {
            for (int i = 0; i < inherited.size(); i++)
            {
                final InheritedSocket socket = inherited.get(i);
                final ServerChannelAdopter.Adoption adoption = ServerChannelAdopter.adopt(socket, RuntimeConfig.Transport.valueOf(transport.name()));
                if (!adoption.adopted())
                {
                    throw new BindFailure(address.toString(), new IllegalStateException(adoption.refusal()));
                }
                final Worker worker = workers[i % workers.length];
                final ServerBootstrap bootstrap = new ServerBootstrap().group(worker.loop(), group)
                    .handler(new AcceptBackoff(worker, name, new Acceptor(null, group)));
                configure(bootstrap);
                ServerChannelAdopter.register(bootstrap, adoption.channel()).sync();
                synchronized (serverChannels)
                {
                    serverChannels.add(adoption.channel());
                }
                boundAddress = (InetSocketAddress)adoption.channel().localAddress();
            }
        }
        catch (final BindFailure ex)
        {
            close();
            throw ex;
        }
        catch (final Exception ex)
        {
            close();
            throw new BindFailure(address.toString(), ex);
        }
    }

    /**
     * The listening socket's options. Accepted connections never reach the bootstrap's own acceptor
     * ({@link AcceptBackoff} hands each to an {@link Acceptor}), so its child options and child handler
     * are not used; it still asks for a child handler.
     */
    private static void configure(final ServerBootstrap bootstrap)
    {
        bootstrap
            .option(ChannelOption.SO_BACKLOG, BACKLOG)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(NOT_USED);
    }

    private Channel bind(final ServerBootstrap bootstrap, final InetSocketAddress target)
        throws InterruptedException
    {
        configure(bootstrap);
        final Channel channel = bootstrap.bind(target).sync().channel();
        synchronized (serverChannels)
        {
            serverChannels.add(channel);
        }
        return channel;
    }

    /** Listening sockets bound now: one per event loop on io_uring and epoll, one on NIO. */
    public int socketCount()
    {
        synchronized (serverChannels)
        {
            return serverChannels.size() + rawSockets.size();
        }
    }

    /** Stops accepting: closes every listening socket. Established connections are not touched. */
    public void close()
    {
        accepting = false;
        final List<Channel> channels;
        final List<RawListenSocket> sockets;
        synchronized (serverChannels)
        {
            channels = new ArrayList<>(serverChannels);
            serverChannels.clear();
            sockets = new ArrayList<>(rawSockets);
            rawSockets.clear();
        }
        for (final Channel channel : channels)
        {
            channel.close().syncUninterruptibly();
        }
        for (final RawListenSocket socket : sockets)
        {
            socket.closeFromControl();
        }
    }

    private Worker workerOf(final Channel channel)
    {
        return workerOf(channel.eventLoop());
    }

    private Worker workerOf(final io.netty.channel.EventLoop loop)
    {
        for (final Worker worker : workers)
        {
            if (worker.loop() == loop)
            {
                return worker;
            }
        }
        throw new IllegalStateException("channel on an unknown event loop");
    }

    /**
     * The child handler {@link ServerBootstrap} requires; no connection reaches it (see {@link #configure}).
     * One that did anyway would have none of the router's setup, so it is closed.
     */
    private static final ChannelHandler NOT_USED = new ChannelHandlerAdapter()
    {
        @Override
        public boolean isSharable()
        {
            return true;
        }

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            ctx.close();
        }
    };

    /**
     * Sets up each accepted connection: its options set on its config directly, then registered on its
     * event loop, where it is counted, its source admitted (the listener's policy; a trusted PROXY source
     * is admitted later, on the address its header names) and its peek started. This is the work of
     * Netty's {@code ServerBootstrapAcceptor} and a {@code ChannelInitializer} without their per-connection
     * costs: four options set through the generic option map, a handler context added to the pipeline and
     * removed again (with the initializer's own concurrent set), and a listener object per registration.
     */
    final class Acceptor implements ChannelFutureListener
    {
        private final Worker fixedWorker;
        private final EventLoopGroup childGroup;

        Acceptor(final Worker fixedWorker, final EventLoopGroup childGroup)
        {
            this.fixedWorker = fixedWorker;
            this.childGroup = childGroup;
        }

        /** The listening socket's event loop: {@code child} was just accepted, not yet registered. */
        void accept(final Channel child)
        {
            final ChannelConfig config = child.config();
            config.setAutoRead(false);
            // No TCP_NODELAY: every transport's socket config turns it on in its constructor
            // (PlatformDependent.canEnableTcpNoDelayByDefault); setting it again would be one setsockopt
            // per accepted connection (TcpNoDelayDefaultTest holds it).
            ((DuplexChannelConfig)config).setAllowHalfClosure(true);
            config.setAutoClose(false);
            config.setRecvByteBufAllocator(Worker.RECEIVE_ALLOCATOR);
            try
            {
                childGroup.next().register(child).addListener(this);
            }
            catch (final RuntimeException ex)
            {
                child.unsafe().closeForcibly();
            }
        }

        /** Registered (on the child's loop): before its pipeline's registered and active events. */
        @Override
        public void operationComplete(final ChannelFuture future)
        {
            final Channel channel = future.channel();
            if (!future.isSuccess())
            {
                // Netty's failed registrations close the channel; this covers one that did not (a no-op otherwise)
                channel.unsafe().closeForcibly();
                return;
            }
            try
            {
                initChannel(channel);
            }
            catch (final RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
        }

        private void initChannel(final Channel channel)
        {
            final Worker worker = fixedWorker != null ? fixedWorker : workerOf(channel);
            worker.counters().onConnectionOpened();
            final ListenerState state = snapshots.current().listener(slot);
            final InetSocketAddress remote = (InetSocketAddress)channel.remoteAddress();
            final InetSocketAddress local = (InetSocketAddress)channel.localAddress();
            if (state == null || remote == null || local == null)
            {
                // no session to count its close: the worker's shared listener does
                channel.closeFuture().addListener(worker.clientCloseListener());
                worker.counters().increment(Counter.REJECTED_DRAINING);
                channel.close();
                return;
            }
            final Session session = new Session(worker, state, channel, remote, local);
            if (admits(worker, state, session, remote))
            {
                channel.pipeline().addLast(new ChannelClientEnd(session, remote.getAddress().getAddress()));
            }
        }

        /**
         * On the listening socket's loop, after its I/O batch: a socket with no channel, set up as
         * {@link #initChannel} sets up a channel, unless its listener has a server-first route (whose
         * unscreened clients need a channel's pipeline in front of the relay): then a channel is made for its fd.
         */
        void acceptRaw(final RawClientSocket raw)
        {
            final ListenerState state = snapshots.current().listener(slot);
            if (state != null && state.routes().serverFirstRoute() != null)
            {
                final Channel channel;
                try
                {
                    channel = new EpollSocketChannel(raw.detachFd());
                }
                catch (final RuntimeException ex)
                {
                    raw.close();
                    return;
                }
                accept(channel);
                return;
            }
            final Worker worker = fixedWorker != null ? fixedWorker : workerOf(raw.loop());
            worker.counters().onConnectionOpened();
            final InetSocketAddress remote = raw.remoteAddress();
            final InetSocketAddress local = raw.localAddress();
            if (state == null || local == null)
            {
                worker.counters().increment(Counter.REJECTED_DRAINING);
                raw.close();
                worker.counters().onConnectionClosed(); // no session to count it
                return;
            }
            final Session session = new Session(worker, state, raw, remote, local);
            if (admits(worker, state, session, remote))
            {
                raw.start(new Sequencer(session, remote.getAddress().getAddress(), raw));
            }
        }

        /**
         * Draining refuses it; else the listener's policy admits its source (a trusted PROXY source is admitted
         * later, on the address its header names). False: refused, counted, and its session closed.
         */
        private boolean admits(final Worker worker, final ListenerState state, final Session session, final InetSocketAddress remote)
        {
            if (!accepting)
            {
                worker.counters().increment(Counter.REJECTED_DRAINING);
                session.close(EndReason.REJECTED_DRAINING);
                return false;
            }
            final boolean proxied = state.trustsProxyHeaderFrom(remote.getAddress().getAddress());
            final RejectReason refused = proxied ? RejectReason.NONE : Sequencer.admit(state, remote.getAddress(), session);
            if (refused != RejectReason.NONE)
            {
                worker.counters().increment(Counter.REJECTED_ACL);
                session.close(EndReason.rejected(refused));
                return false;
            }
            return true;
        }
    }

    @Override
    public String toString()
    {
        return "listener " + name + " on " + address;
    }
}
