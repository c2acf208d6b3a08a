package io.gatehouse.router.lifecycle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server nobody here wrote (nginx, HAProxy) as an unprivileged child process with its own config, pid
 * and log files in a temp dir, on listening sockets bound to port 0 before it starts: a small Python
 * launcher binds them, writes their ports ({@code @PORTi@}) and fd numbers ({@code @FDi@}) into the
 * config template, prints the ports and execs the server, which inherits the sockets (nginx through its
 * {@code NGINX} variable, as on a binary upgrade; HAProxy through {@code bind fd@N}). No port is probed
 * for, so none can be taken in between.
 */
final class ExternalServer implements AutoCloseable
{
    private static final String LAUNCHER = String.join("\n",
        "import os, socket, sys",
        "template, config, n, envvar = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]",
        "argv = sys.argv[5:]",
        "text = open(template).read()",
        "socks = []",
        "for i in range(n):",
        "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "    s.bind(('127.0.0.1', 0))",
        "    s.listen(511)",
        "    os.set_inheritable(s.fileno(), True)",
        "    socks.append(s)",
        "    text = text.replace('@PORT%d@' % i, str(s.getsockname()[1])).replace('@FD%d@' % i, str(s.fileno()))",
        "open(config, 'w').write(text)",
        "env = dict(os.environ)",
        "if envvar != '-':",
        "    env[envvar] = ';'.join(str(s.fileno()) for s in socks) + ';'",
        "print('ports ' + ' '.join(str(s.getsockname()[1]) for s in socks), flush=True)",
        "os.execvpe(argv[0], argv, env)",
        "");

    private final String name;
    private final Process process;
    private final Path log;
    private final int[] ports;

    private ExternalServer(final String name, final Process process, final Path log, final int[] ports)
    {
        this.name = name;
        this.process = process;
        this.log = log;
        this.ports = ports;
    }

    /**
     * Starts {@code command} (which reads {@code config}) after writing {@code template} to {@code config}
     * with {@code sockets} bound ports filled in; {@code inheritVariable} names the environment variable
     * that lists the fds for the server, or {@code -} for none.
     */
    static ExternalServer start(final String name, final Path dir, final String template, final Path config, final int sockets,
        final String inheritVariable, final List<String> command) throws Exception
    {
        final Path launcher = dir.resolve("launch-with-bound-ports.py");
        Files.writeString(launcher, LAUNCHER);
        final Path templateFile = dir.resolve(config.getFileName() + ".template");
        Files.writeString(templateFile, template);
        final List<String> argv = new ArrayList<>(List.of("python3", launcher.toString(), templateFile.toString(), config.toString(),
            Integer.toString(sockets), inheritVariable));
        argv.addAll(command);
        final Path log = dir.resolve(name + ".stderr");
        final Process process = new ProcessBuilder(argv).redirectError(log.toFile()).start();
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            final String line = out.readLine();
            if (line == null || !line.startsWith("ports "))
            {
                throw new AssertionError(name + " did not start: " + line + " " + Files.readString(log));
            }
            final String[] words = line.substring(6).trim().split(" ");
            final int[] ports = new int[words.length];
            for (int i = 0; i < words.length; i++)
            {
                ports[i] = Integer.parseInt(words[i]);
            }
            final ExternalServer server = new ExternalServer(name, process, log, ports);
            server.awaitListening();
            return server;
        }
        catch (final Exception | Error ex)
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw ex;
        }
    }

    int port(final int index)
    {
        return ports[index];
    }

    String log()
    {
        try
        {
            return Files.readString(log);
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    /**
     * The sockets listen from before the exec, so a connect proves nothing: this waits until an HTTP
     * request to the first socket gets an answer (any answer) from the server itself.
     */
    private void awaitListening()
    {
        RouterChild.await(name + " answering on port " + ports[0], 30, () ->
        {
            if (!process.isAlive())
            {
                throw new AssertionError(name + " exited: " + log());
            }
            try (Socket probe = new Socket("127.0.0.1", ports[0]))
            {
                probe.setSoTimeout(5_000);
                probe.getOutputStream().write("GET / HTTP/1.0\r\nHost: probe\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return probe.getInputStream().read() >= 0;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }, this::log);
    }

    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
