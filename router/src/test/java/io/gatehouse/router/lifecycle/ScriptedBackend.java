package io.gatehouse.router.lifecycle;

import io.gatehouse.router.TlsBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The backend of the close-pattern suite: one plain TCP and one TLS (JDK) listening socket on loopback;
 * each accepted connection reads the client's head, learns its pattern and number from it, and plays the
 * pattern's backend side. It counts, per pattern, the connections it served and the failures it saw (a
 * byte that differs, a byte missing, a reset where a FIN was due), each failure with its description.
 */
final class ScriptedBackend implements AutoCloseable, ClosePattern.Rendezvous
{
    private static final int READ_TIMEOUT_MS = 10_000;

    private final ServerSocket plain;
    private final SSLServerSocket tls;
    private final ExecutorService connections = Executors.newCachedThreadPool(runnable ->
    {
        final Thread thread = new Thread(runnable, "scripted-backend");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<ClosePattern, AtomicLong> served = new EnumMap<>(ClosePattern.class);
    private final Map<ClosePattern, AtomicLong> lostBytes = new EnumMap<>(ClosePattern.class);
    private final Map<ClosePattern, Queue<String>> failures = new EnumMap<>(ClosePattern.class);
    private final Queue<String> unattributed = new ConcurrentLinkedQueue<>();
    private final Map<Long, CountDownLatch> latches = new ConcurrentHashMap<>();
    private final Thread plainAcceptor;
    private final Thread tlsAcceptor;

    ScriptedBackend(final Path dir) throws Exception
    {
        for (final ClosePattern pattern : ClosePattern.values())
        {
            served.put(pattern, new AtomicLong());
            lostBytes.put(pattern, new AtomicLong());
            failures.put(pattern, new ConcurrentLinkedQueue<>());
        }
        plain = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        tls = (SSLServerSocket)serverContext(dir).getServerSocketFactory().createServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        plainAcceptor = acceptor(plain, "plain");
        tlsAcceptor = acceptor(tls, "tls");
    }

    InetSocketAddress plainAddress()
    {
        return new InetSocketAddress("127.0.0.1", plain.getLocalPort());
    }

    InetSocketAddress tlsAddress()
    {
        return new InetSocketAddress("127.0.0.1", tls.getLocalPort());
    }

    long served(final ClosePattern pattern)
    {
        return served.get(pattern).get();
    }

    long lostBytes(final ClosePattern pattern)
    {
        return lostBytes.get(pattern).get();
    }

    Queue<String> failures(final ClosePattern pattern)
    {
        return failures.get(pattern);
    }

    /**
     * Failures of connections whose head never arrived (so no pattern is known), taken out of the queue:
     * patterns run one after another, so they belong to the pattern that just ran.
     */
    List<String> takeUnattributed()
    {
        final List<String> taken = new ArrayList<>();
        String failure;
        while ((failure = unattributed.poll()) != null)
        {
            taken.add(failure);
        }
        return taken;
    }

    @Override
    public CountDownLatch latch(final long id)
    {
        return latches.computeIfAbsent(id, key -> new CountDownLatch(1));
    }

    @Override
    public void release(final long id)
    {
        latches.remove(id);
    }

    @Override
    public void close() throws Exception
    {
        plain.close();
        tls.close();
        plainAcceptor.join(5_000);
        tlsAcceptor.join(5_000);
        connections.shutdownNow();
        connections.awaitTermination(10, TimeUnit.SECONDS);
    }

    private Thread acceptor(final ServerSocket server, final String name)
    {
        final Thread thread = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try
                {
                    final Socket socket = server.accept();
                    connections.execute(() -> serve(socket));
                }
                catch (final IOException ex)
                {
                    // Closed: the loop ends.
                }
            }
        }, "scripted-backend-accept-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void serve(final Socket socket)
    {
        ClosePattern pattern = null;
        long id = -1;
        try (socket)
        {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            final InputStream in = socket.getInputStream();
            final Conversation conversation = Conversation.readHead(in);
            pattern = conversation.pattern;
            id = conversation.id;
            served.get(pattern).incrementAndGet();
            pattern.backend(conversation, socket, this);
        }
        catch (final Conversation.ShortRead ex)
        {
            record(pattern, id, ex.getMessage());
            if (pattern != null)
            {
                lostBytes.get(pattern).addAndGet(ex.missing);
            }
        }
        catch (final Exception | AssertionError ex)
        {
            record(pattern, id, ex.toString());
        }
    }

    private void record(final ClosePattern pattern, final long id, final String what)
    {
        if (pattern == null)
        {
            unattributed.add("backend: a connection whose head never came: " + what);
            return;
        }
        failures.get(pattern).add("backend, connection " + id + ": " + what);
    }

    private static SSLContext serverContext(final Path dir) throws Exception
    {
        return TlsBackend.serverContext(TlsBackend.keystore(dir, ClosePattern.TLS_CLOSE_NOTIFY.host()));
    }
}
