package io.gatehouse.loadgen;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Runs one load: spreads slots and rate over the event loops, opens persistent connections, starts
 * the open loops a few microseconds apart, discards the warm-up, then each second takes the interval
 * histograms (into the totals, the {@code .hlog} and the progress line) until the end, and waits for
 * the transactions still in flight (up to their timeout). The calling thread does the reporting; the
 * load runs on the event loops.
 */
public final class LoadRun
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long START_DELAY_NS = 20_000_000L;
    private static final long PROGRESS_MIN_DURATION_NS = 4 * SECOND_NS;

    private final LoadSettings settings;
    private final NanoClock clock;
    private final PrintStream progress;
    private final HistogramLogWriter hlog;

    /**
     * @param settings what to run.
     * @param progress where the one-line-per-second progress goes (runs over 4 s), or {@code null}.
     * @param hlog     where interval histograms go (tags {@code corrected}, {@code uncorrected}), or {@code null}.
     */
    public LoadRun(final LoadSettings settings, final PrintStream progress, final HistogramLogWriter hlog)
    {
        this.settings = settings;
        this.clock = NanoClock.SYSTEM;
        this.progress = progress;
        this.hlog = hlog;
    }

    /** Runs to the end and returns what was measured. */
    public LoadResult run()
    {
        final InetSocketAddress remote = new InetSocketAddress(settings.host(), settings.port());
        if (remote.isUnresolved())
        {
            throw new IllegalArgumentException("cannot resolve target host '" + settings.host() + "'");
        }
        final SslContext clientTls = settings.mode() == LoadMode.TLS ? clientContext() : null;
        final byte[] hello = settings.mode() == LoadMode.CONNECT || settings.sni() != null
            ? ClientHelloTemplate.build(settings.sni(), settings.helloBytes(), 0x6a7e_4051L)
            : null;
        final int loops = Math.min(settings.threads(), settings.connections());
        final EventLoopGroup group = settings.transport().newGroup(loops, "loadgen");
        final LatencyRecorder recorder = new LatencyRecorder();
        final ErrorCounts errors = new ErrorCounts();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder bytesReceived = new LongAdder();
        final List<LoopDriver> drivers = new ArrayList<>(loops);
        try
        {
            for (int i = 0; i < loops; i++)
            {
                final int slots = settings.connections() / loops + (i < settings.connections() % loops ? 1 : 0);
                final double loopRate = settings.rate() * slots / settings.connections();
                final EventLoop loop = group.next();
                final LoopDriver driver = new LoopDriver(loop, settings, clock, remote, clientTls, hello, slots,
                    loopRate > 0 ? loopRate : 1, recorder, errors, bytesSent, bytesReceived);
                drivers.add(driver);
                loop.execute(driver::onOpen);
            }
            if (settings.mode() == LoadMode.RR || settings.mode() == LoadMode.STREAM)
            {
                awaitConnections(drivers, errors);
            }
            return measure(drivers, recorder, errors, bytesSent, bytesReceived);
        }
        finally
        {
            for (final LoopDriver driver : drivers)
            {
                driver.loop.submit(driver::onStop).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    private void awaitConnections(final List<LoopDriver> drivers, final ErrorCounts errors)
    {
        final long deadlineNs = clock.nanoTime() + settings.timeoutNs();
        while (deadlineNs - clock.nanoTime() > 0)
        {
            long ready = 0;
            for (final LoopDriver driver : drivers)
            {
                ready += driver.connectionsReady.sum();
            }
            if (ready + errors.total() >= settings.connections())
            {
                return;
            }
            pause(1_000_000L);
        }
    }

    private LoadResult measure(final List<LoopDriver> drivers, final LatencyRecorder recorder, final ErrorCounts errors,
        final LongAdder bytesSent, final LongAdder bytesReceived)
    {
        final long startNs = clock.nanoTime() + START_DELAY_NS;
        final long warmEndNs = startNs + settings.warmupNs();
        final long endNs = warmEndNs + settings.durationNs();
        final double spacingNs = settings.rate() > 0 ? 1e9 / settings.rate() : 0;
        if (settings.warmupNs() > 0)
        {
            recorder.measureFrom(warmEndNs);
        }
        for (int i = 0; i < drivers.size(); i++)
        {
            final LoopDriver driver = drivers.get(i);
            final long loopStartNs = startNs + (long)(i * spacingNs);
            driver.loop.execute(() -> driver.onStart(loopStartNs, endNs));
        }
        final long wallStartMs = System.currentTimeMillis();
        pauseUntil(warmEndNs);
        recorder.correctedInterval();
        recorder.uncorrectedInterval();
        final Map<ErrorKind, Long> warmupErrors = errors.snapshot();
        final long completionsAtWarmEnd = recorder.completions();
        final long sentAtWarmEnd = bytesSent.sum();
        final long receivedAtWarmEnd = bytesReceived.sum();
        if (hlog != null)
        {
            hlog.outputLogFormatVersion();
            hlog.outputStartTime(wallStartMs + settings.warmupNs() / 1_000_000);
            hlog.setBaseTime(wallStartMs + settings.warmupNs() / 1_000_000);
            hlog.outputLegend();
        }

        final Histogram corrected = LatencyRecorder.newHistogram();
        final Histogram uncorrected = LatencyRecorder.newHistogram();
        final boolean showProgress = progress != null && settings.durationNs() >= PROGRESS_MIN_DURATION_NS;
        long nextNs = warmEndNs + SECOND_NS;
        long lastBytes = sentAtWarmEnd + receivedAtWarmEnd;
        while (endNs - nextNs >= 0)
        {
            pauseUntil(nextNs);
            final Histogram intervalCorrected = take(recorder, true, corrected);
            take(recorder, false, uncorrected);
            if (showProgress)
            {
                final long bytes = bytesSent.sum() + bytesReceived.sum();
                progress.println(progressLine((nextNs - warmEndNs) / SECOND_NS, intervalCorrected, errors.total(), bytes - lastBytes));
                lastBytes = bytes;
            }
            nextNs += SECOND_NS;
        }
        pauseUntil(endNs);
        final long completedInWindow = recorder.completions() - completionsAtWarmEnd;
        final long bytesUp = bytesSent.sum() - sentAtWarmEnd;
        final long bytesDown = bytesReceived.sum() - receivedAtWarmEnd;
        if (settings.mode() != LoadMode.STREAM)
        {
            awaitDrained(drivers, endNs + settings.timeoutNs() + 2 * SWEEP_SLACK_NS);
        }
        take(recorder, true, corrected);
        take(recorder, false, uncorrected);
        for (final LoopDriver driver : drivers)
        {
            driver.loop.submit(driver::onStop).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        final Map<ErrorKind, Long> finalErrors = errors.snapshot();
        final Map<ErrorKind, Long> measuredErrors = new EnumMap<>(ErrorKind.class);
        for (final ErrorKind kind : ErrorKind.values())
        {
            measuredErrors.put(kind, finalErrors.get(kind) - warmupErrors.get(kind));
        }
        long notStarted = 0;
        for (final LoopDriver driver : drivers)
        {
            notStarted += driver.notStarted;
        }
        final long count = settings.mode() == LoadMode.STREAM ? bytesUp + bytesDown : completedInWindow;
        return new LoadResult(settings, settings.durationNs(), count, corrected, uncorrected, measuredErrors, warmupErrors,
            notStarted, bytesUp, bytesDown, bytesSent.sum(), bytesReceived.sum(), errors.firstError());
    }

    private static final long SWEEP_SLACK_NS = 50_000_000L;

    private void awaitDrained(final List<LoopDriver> drivers, final long deadlineNs)
    {
        while (deadlineNs - clock.nanoTime() > 0)
        {
            boolean all = true;
            for (final LoopDriver driver : drivers)
            {
                all &= driver.finished;
            }
            if (all)
            {
                return;
            }
            pause(2_000_000L);
        }
    }

    private Histogram take(final LatencyRecorder recorder, final boolean correctedOne, final Histogram total)
    {
        final Histogram interval = correctedOne ? recorder.correctedInterval() : recorder.uncorrectedInterval();
        total.add(interval);
        if (hlog != null)
        {
            interval.setTag(correctedOne ? "corrected" : "uncorrected");
            hlog.outputIntervalHistogram(interval);
        }
        return interval;
    }

    private String progressLine(final long second, final Histogram interval, final long errorTotal, final long bytes)
    {
        if (settings.mode() == LoadMode.STREAM)
        {
            return String.format(java.util.Locale.ROOT, "[%4ds] %8.3f Gbit/s  errors %d", second, bytes * 8.0 / 1e9, errorTotal);
        }
        final LatencySummary summary = LatencySummary.of(interval);
        return String.format(java.util.Locale.ROOT, "[%4ds] %10d/s  p50 %s  p99 %s  max %s  errors %d",
            second, interval.getTotalCount(), Report.formatUs(summary.p50Us()), Report.formatUs(summary.p99Us()),
            Report.formatUs(summary.maxUs()), errorTotal);
    }

    private SslContext clientContext()
    {
        try
        {
            return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
        }
        catch (final SSLException ex)
        {
            throw new IllegalStateException("cannot build the client TLS context", ex);
        }
    }

    private void pauseUntil(final long deadlineNs)
    {
        long leftNs;
        while ((leftNs = deadlineNs - clock.nanoTime()) > 0)
        {
            pause(Math.min(leftNs, 50_000_000L));
        }
    }

    private static void pause(final long ns)
    {
        try
        {
            TimeUnit.NANOSECONDS.sleep(ns);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
