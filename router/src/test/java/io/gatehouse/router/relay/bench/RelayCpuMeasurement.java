package io.gatehouse.router.relay.bench;

import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RuntimeConfig;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * CPU time the router's event loop spends per GiB relayed, per transport x relay mode, in one run (so the
 * ratios compare; absolute numbers depend on the machine). One worker; a blocking client pushes
 * {@code GIB} GiB in 1 MiB writes to a sink backend on loopback; the event loop thread's CPU time is
 * read with {@link ThreadMXBean#getThreadCpuTime}. Not a unit test: run it as a main (see
 * bench-results/relay.md).
 */
public final class RelayCpuMeasurement
{
    private static final int WRITE_BYTES = 1024 * 1024;

    private RelayCpuMeasurement()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final double gib = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        final long total = (long)(gib * 1024 * 1024 * 1024);
        final LinkedBlockingQueue<Long> received = new LinkedBlockingQueue<>();
        try (RawBackend sink = new RawBackend("sink", socket ->
        {
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[256 * 1024];
            long count = 0;
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                count += read;
            }
            received.add(count);
        }))
        {
            System.out.printf("%-10s %-7s %10s %12s %12s%n", "transport", "relay", "GiB", "cpu ms/GiB", "wall MB/s");
            measure("direct", null, null, sink, total, received);
            for (final RuntimeConfig.Transport transport : List.of(
                RuntimeConfig.Transport.NIO, RuntimeConfig.Transport.EPOLL, RuntimeConfig.Transport.IO_URING))
            {
                measure(transport.name().toLowerCase(), transport, ListenerConfig.RelayMode.COPY, sink, total, received);
            }
            measure("epoll", RuntimeConfig.Transport.EPOLL, ListenerConfig.RelayMode.SPLICE, sink, total, received);
        }
    }

    private static void measure(
        final String label,
        final RuntimeConfig.Transport transport,
        final ListenerConfig.RelayMode mode,
        final RawBackend sink,
        final long total,
        final LinkedBlockingQueue<Long> received) throws Exception
    {
        Router router = null;
        java.net.InetSocketAddress target = sink.address();
        if (transport != null)
        {
            router = Router.start(TestConfigs.config(transport, 1,
                TestConfigs.listener("bench", TestConfigs.route(List.of("sink.test"), sink.address()))
                    .defaultRoute("sink.test").relay(mode)));
            target = router.boundAddress("bench");
        }
        try
        {
            push(target, total / 8, received);
            final long cpuBefore = loopCpuNs();
            final long startNs = System.nanoTime();
            push(target, total, received);
            final long wallNs = System.nanoTime() - startNs;
            final long cpuNs = loopCpuNs() - cpuBefore;
            final double gib = total / (1024.0 * 1024 * 1024);
            System.out.printf("%-10s %-7s %10.2f %12.1f %12.0f%n", label, mode == null ? "-" : mode.name().toLowerCase(), gib,
                TimeUnit.NANOSECONDS.toMillis(cpuNs) / gib, total / 1e6 / (wallNs / 1e9));
        }
        finally
        {
            if (router != null)
            {
                router.close();
            }
        }
    }

    private static void push(final java.net.InetSocketAddress target, final long bytes, final LinkedBlockingQueue<Long> received)
        throws Exception
    {
        final byte[] chunk = new byte[WRITE_BYTES];
        try (Socket client = new Socket())
        {
            client.connect(target, 5_000);
            long left = bytes;
            while (left > 0)
            {
                final int n = (int)Math.min(left, chunk.length);
                client.getOutputStream().write(chunk, 0, n);
                left -= n;
            }
            client.shutdownOutput();
            final Long got = received.poll(120, TimeUnit.SECONDS);
            if (got == null || got != bytes)
            {
                throw new IllegalStateException("sink received " + got + " of " + bytes);
            }
        }
    }

    private static long loopCpuNs()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (info != null && info.getThreadName().startsWith("gatehouse-"))
            {
                final long cpu = threads.getThreadCpuTime(info.getThreadId());
                sum += Math.max(0, cpu);
            }
        }
        return sum;
    }
}
