package io.gatehouse.router;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking TCP backend on loopback for tests: each accepted socket is handed to a {@link Session} on a
 * pool thread. Records every accepted connection count.
 */
public final class RawBackend implements AutoCloseable
{
    /** What the backend does with one connection. */
    @FunctionalInterface
    public interface Session
    {
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final ExecutorService pool;
    private final AtomicInteger accepted = new AtomicInteger();
    private final LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    private final List<Socket> open = new ArrayList<>();
    private final Thread acceptor;

    public RawBackend(final String name, final Session session) throws IOException
    {
        this(name, InetAddress.getLoopbackAddress(), session);
    }

    public RawBackend(final String name, final InetAddress address, final Session session) throws IOException
    {
        server = new ServerSocket(0, 1024, address);
        pool = Executors.newCachedThreadPool(r ->
        {
            final Thread thread = new Thread(r, "backend-" + name);
            thread.setDaemon(true);
            return thread;
        });
        acceptor = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try
                {
                    final Socket socket = server.accept();
                    accepted.incrementAndGet();
                    synchronized (open)
                    {
                        open.add(socket);
                    }
                    pool.execute(() ->
                    {
                        try (socket)
                        {
                            session.serve(socket);
                        }
                        catch (final IOException ex)
                        {
                            // the peer went away: the test decides whether that matters
                        }
                        catch (final Throwable ex)
                        {
                            failures.add(ex);
                        }
                        finally
                        {
                            synchronized (open)
                            {
                                open.remove(socket);
                            }
                        }
                    });
                }
                catch (final IOException ex)
                {
                    return;
                }
            }
        }, "backend-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address()
    {
        return (InetSocketAddress)server.getLocalSocketAddress();
    }

    public int accepted()
    {
        return accepted.get();
    }

    /** The first assertion or unexpected error a session threw, or {@code null}. */
    public Throwable failure()
    {
        return failures.peek();
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        synchronized (open)
        {
            for (final Socket socket : open)
            {
                socket.close();
            }
        }
        pool.shutdownNow();
    }

    /** Echoes everything until EOF, then closes. */
    public static void echo(final Socket socket) throws IOException
    {
        final byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = socket.getInputStream().read(buffer)) >= 0)
        {
            socket.getOutputStream().write(buffer, 0, read);
        }
    }

    /** Reads the request head (through its blank line, or to EOF) and answers {@code name} and a newline. */
    public static void answerHeadWith(final Socket socket, final String name) throws IOException
    {
        final InputStream in = socket.getInputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0)
        {
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        socket.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }
}
