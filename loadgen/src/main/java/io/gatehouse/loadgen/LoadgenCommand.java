package io.gatehouse.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gatehouse loadgen MODE --target HOST:PORT --rate N ...} and {@code gatehouse loadgen serve}.
 * Main thread only. Exit status: 0 when the run completed transactions (errors are reported, not
 * fatal), 1 when none completed, 2 for a bad argument.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    subcommands = {ServeCommand.class, CeilingCommand.class},
    description = {
        "Open-loop load generator: latency from the intended send time (coordinated omission corrected),",
        "uncorrected latency kept too. MODE is one of:",
        "  connect  new TCP connection, ClientHello with --sni, backend's first bytes, close (connections/s)",
        "  rr       request of --request-size bytes and its echo over --connections persistent connections",
        "  stream   bulk bytes --direction up (sink backend), down (source) or both (echo); throughput;",
        "           --direction none holds --connections idle connections (memory per connection)",
        "  tls      TLS handshake with SNI, greeting, one request and its echo, close (echo TLS backend)",
        "Backends: 'loadgen serve --help'. The generator's own limits: 'loadgen ceiling --help'."
    })
public final class LoadgenCommand implements Callable<Integer>
{
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODE", description = "connect, rr, stream or tls")
    String mode;

    @Option(names = "--target", paramLabel = "HOST:PORT", description = "where to connect (the router or a backend)")
    String target;

    @Option(names = "--rate", paramLabel = "N", description = "transactions (connect, tls: connections) per second, open loop; stream ignores it")
    double rate;

    @Option(names = "--duration", defaultValue = "10s", paramLabel = "TIME", description = "measured time after the warm-up (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--warmup", defaultValue = "1s", paramLabel = "TIME", description = "run first and discard (default ${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--connections", paramLabel = "C",
        description = "rr/stream: persistent connections (default 16 / 4); connect/tls: most in flight (default 1024)")
    Integer connections;

    @Option(names = "--threads", paramLabel = "T", description = "event loops (default: cores, at most connections)")
    Integer threads;

    @Option(names = "--sni", paramLabel = "NAME", description = "server name in the ClientHello (connect, rr, stream) or TLS handshake (tls)")
    String sni;

    @Option(names = "--hello-size", defaultValue = "0", paramLabel = "BYTES",
        description = "ClientHello size on the wire; 0 = natural (~250); >= 1400 adds an X25519MLKEM768 share; max 60000")
    int helloSize;

    @Option(names = "--request-size", defaultValue = "64", paramLabel = "BYTES", description = "rr/tls request size (default ${DEFAULT-VALUE})")
    int requestSize;

    @Option(names = "--expect-id", paramLabel = "ID", description = "the backend id that must answer (several: a,b = any of them); another counts as wrong_backend")
    String expectId;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "TIME", description = "deadline of one transaction (default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--direction", defaultValue = "up", paramLabel = "DIR", description = "stream: up, down, both or none (idle connections) (default ${DEFAULT-VALUE})")
    String direction;

    @Option(names = "--close", defaultValue = "client", paramLabel = "HOW",
        description = "connect: how each connection ends after the answer: client (closes first), backend (waits for the backend's close),"
            + " rst (a few bytes, then a reset), half (half-closes after the hello, waits for the backend's close) (default ${DEFAULT-VALUE})")
    String close;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "T", description = "auto, epoll or nio (default ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON summary here")
    Path json;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "write the corrected percentile distribution here (and NAME.uncorrected.hgrm)")
    Path hgrm;

    @Option(names = "--hlog", paramLabel = "FILE", description = "write per-second interval histograms (HistogramLog, tags corrected/uncorrected)")
    Path hlog;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    @Override
    public Integer call()
    {
        final LoadSettings settings;
        try
        {
            settings = settings();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("gatehouse loadgen: " + ex.getMessage());
            return 2;
        }
        final LoadResult result;
        try (PrintStream hlogOut = hlog == null ? null : new PrintStream(Files.newOutputStream(hlog), false, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = hlogOut == null ? null : new HistogramLogWriter(hlogOut);
            result = new LoadRun(settings, quiet ? null : System.err, writer).run();
        }
        catch (final IOException ex)
        {
            System.err.println("gatehouse loadgen: cannot write " + hlog + ": " + ex.getMessage());
            return 2;
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("gatehouse loadgen: " + ex.getMessage());
            return 2;
        }
        Report.printTable(result, System.out);
        try
        {
            if (json != null)
            {
                Report.writeJson(result, json);
            }
            if (hgrm != null)
            {
                Report.writeHgrm(result, hgrm);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("gatehouse loadgen: cannot write a result file: " + ex.getMessage());
            return 2;
        }
        return result.count() > 0 ? 0 : 1;
    }

    LoadSettings settings()
    {
        if (mode == null)
        {
            throw new IllegalArgumentException("missing MODE (connect, rr, stream, tls) or 'serve'; see --help");
        }
        final LoadMode loadMode;
        try
        {
            loadMode = LoadMode.valueOf(mode.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown mode '" + mode + "' (connect, rr, stream, tls, serve)", ex);
        }
        if (target == null)
        {
            throw new IllegalArgumentException("missing --target HOST:PORT");
        }
        final Endpoint endpoint = Endpoint.parse(target);
        final StreamDirection streamDirection;
        try
        {
            streamDirection = StreamDirection.valueOf(direction.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown --direction '" + direction + "' (up, down, both, none)", ex);
        }
        LoadSettings settings = LoadSettings.of(loadMode, endpoint.host(), endpoint.port(), rate, DurationText.parseNs(duration))
            .withWarmupNs(DurationText.parseNs(warmup))
            .withTimeoutNs(DurationText.parseNs(timeout))
            .withSni(sni)
            .withHelloBytes(helloSize)
            .withRequestBytes(requestSize)
            .withExpectId(expectId)
            .withDirection(streamDirection)
            .withTransport(IoTransport.parse(transport))
            .withClose(CloseMode.parse(close));
        if (connections != null)
        {
            settings = settings.withConnections(connections);
        }
        return settings.withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
    }
}
