package io.gatehouse.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse loadgen serve}: one backend in the foreground until SIGTERM/SIGINT. Prints one
 * line on stdout once listening: {@code serving MODE ID on HOST:PORT [tls]}. Exit 2 when the address
 * cannot be bound or an argument is bad.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
        "A demo/benchmark backend that shows its identity on every connection:",
        "  echo     greeting line '<id>\\n' at once, then echoes every byte",
        "  sink     greeting line '<id>\\n' at once, then drops every byte",
        "  respond  nothing first; after each read one fixed response '<id>\\n....' of --response-size bytes",
        "  source   greeting line '<id>\\n', then bulk bytes as fast as the client reads",
        "With --tls the greeting waits for the handshake; the certificate is self-signed, generated at start",
        "with the JDK's keytool, its names = --names (default: the id and localhost)."
    })
public final class ServeCommand implements Callable<Integer>
{
    @Option(names = "--mode", defaultValue = "echo", paramLabel = "MODE", description = "echo, sink, respond or source (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "address to bind")
    String listen;

    @Option(names = "--tls", description = "terminate TLS with a generated self-signed certificate")
    boolean tls;

    @Option(names = "--id", paramLabel = "NAME", description = "identity shown to clients (default: backend-PORT)")
    String id;

    @Option(names = "--names", split = ",", paramLabel = "NAME", description = "certificate names (default: the id and localhost)")
    List<String> names;

    @Option(names = "--response-size", defaultValue = "64", paramLabel = "BYTES", description = "respond: response size (default ${DEFAULT-VALUE})")
    int responseSize;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "event loops (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--close", defaultValue = "none", paramLabel = "HOW",
        description = "after the first answer (greeting line, or first response): none, first (close first, FIN) or reset (RST) (default ${DEFAULT-VALUE})")
    String close;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "T", description = "auto, epoll or nio (default ${DEFAULT-VALUE})")
    String transport;

    @Override
    public Integer call() throws InterruptedException
    {
        final Backend backend;
        try
        {
            final BackendMode backendMode = BackendMode.valueOf(mode.toUpperCase(Locale.ROOT));
            final Endpoint endpoint = Endpoint.parse(listen);
            final String identity = id != null ? id : "backend-" + endpoint.port();
            BackendSpec spec = BackendSpec.of(backendMode, identity)
                .withAddress(endpoint.host(), endpoint.port())
                .withResponseBytes(responseSize)
                .withThreads(threads)
                .withTransport(IoTransport.parse(transport))
                .withClose(BackendClose.parse(close));
            if (tls)
            {
                final List<String> certNames = new ArrayList<>();
                if (names != null && !names.isEmpty())
                {
                    certNames.addAll(names);
                }
                else
                {
                    certNames.add(identity);
                    certNames.add("localhost");
                }
                spec = spec.withTls(SelfSignedIdentity.generate(certNames.toArray(new String[0])));
            }
            backend = Backend.start(spec);
        }
        catch (final IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException ex)
        {
            System.err.println("gatehouse loadgen serve: " + ex.getMessage());
            return 2;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            backend.close();
            stopped.countDown();
        }, "serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("serving " + mode.toLowerCase(Locale.ROOT) + " " + backend.id() + " on " + backend.target() + (tls ? " tls" : ""));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
