package io.gatehouse.router.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.loop.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one relay contract every transport x relay mode passes: 16 MiB each way, ended by a FIN
 * (half-close) or a full close, every byte and the EOF arriving, repeated {@link #REPETITIONS} times
 * (system property {@code gatehouse.relay.repetitions}; see router/README.md for the choice).
 */
@ExtendWith(LeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class RelayContractTest
{
    static final int SIZE = 16 * 1024 * 1024;
    static final int REPETITIONS = Integer.getInteger("gatehouse.relay.repetitions", 10);
    static final byte[] DATA = new byte[SIZE];

    static
    {
        new Random(0x6a7e).nextBytes(DATA);
        DATA[0] = 0;
    }

    private volatile RawBackend.Session session;
    private final LinkedBlockingQueue<String> backendResults = new LinkedBlockingQueue<>();
    private RawBackend backend;
    private Router router;
    private InetSocketAddress address;

    protected abstract RuntimeConfig.Transport transport();

    protected abstract ListenerConfig.RelayMode relayMode();

    @BeforeAll
    void startRouter() throws Exception
    {
        assumeTrue(Transport.select(RuntimeConfig.Transport.AUTO) != null);
        assumeTrue(isAvailable(transport()), transport() + " is not available here");
        backend = new RawBackend("contract", socket -> session.serve(socket));
        router = Router.start(TestConfigs.config(transport(), 2,
            TestConfigs.listener("contract", TestConfigs.route(List.of("backend.test"), backend.address()))
                .defaultRoute("backend.test")
                .relay(relayMode())));
        address = router.boundAddress("contract");
    }

    @AfterAll
    void stopRouter() throws IOException
    {
        if (router != null)
        {
            router.close();
        }
        if (backend != null)
        {
            backend.close();
        }
    }

    @AfterEach
    void shouldLeaveNoConnectionBehind()
    {
        if (router != null)
        {
            Await.until("every relayed connection closed", () -> router.metrics().activeConnections() == 0,
                () -> "active=" + router.metrics().activeConnections());
            assertNull(backend.failure());
        }
    }

    @Test
    void shouldDeliverEveryByteAndTheFinFromClientToBackend() throws Exception
    {
        session = socket ->
        {
            backendResults.add(receiveAll(socket.getInputStream()));
            socket.getOutputStream().write('k');
            socket.shutdownOutput();
        };
        for (int i = 0; i < REPETITIONS; i++)
        {
            try (Socket client = connect())
            {
                client.getOutputStream().write(DATA);
                client.shutdownOutput();
                assertEquals("ok", backendResults.poll(30, TimeUnit.SECONDS), "repetition " + i);
                assertEquals('k', client.getInputStream().read());
                assertEquals(-1, client.getInputStream().read(), "the backend's FIN after the half-close");
            }
        }
        final long relayed = router.metrics().bytesClientToBackend();
        assertTrue(relayed >= (long)SIZE * REPETITIONS, "counted " + relayed);
    }

    @Test
    void shouldDeliverEveryByteAndTheEofWhenTheClientClosesAfterWriting() throws Exception
    {
        session = socket -> backendResults.add(receiveAll(socket.getInputStream()));
        for (int i = 0; i < REPETITIONS; i++)
        {
            try (Socket client = connect())
            {
                client.getOutputStream().write(DATA);
            }
            assertEquals("ok", backendResults.poll(30, TimeUnit.SECONDS), "repetition " + i);
        }
    }

    @Test
    void shouldDeliverEveryByteAndTheFinFromBackendToClient() throws Exception
    {
        session = socket ->
        {
            final InputStream in = socket.getInputStream();
            if (in.read() != 0)
            {
                throw new AssertionError("first byte");
            }
            final OutputStream out = socket.getOutputStream();
            out.write(DATA);
            socket.shutdownOutput();
            backendResults.add(in.read() == -1 ? "eof" : "bytes after the first");
        };
        for (int i = 0; i < REPETITIONS; i++)
        {
            try (Socket client = connect())
            {
                client.getOutputStream().write(0);
                assertEquals("ok", receiveAll(client.getInputStream()), "repetition " + i);
                client.shutdownOutput();
                assertEquals("eof", backendResults.poll(30, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void shouldDeliverEveryByteAndTheEofWhenTheBackendClosesAfterWriting() throws Exception
    {
        session = socket ->
        {
            if (socket.getInputStream().read() != 0)
            {
                throw new AssertionError("first byte");
            }
            socket.getOutputStream().write(DATA);
        };
        for (int i = 0; i < REPETITIONS; i++)
        {
            try (Socket client = connect())
            {
                client.getOutputStream().write(0);
                assertEquals("ok", receiveAll(client.getInputStream()), "repetition " + i);
            }
        }
    }

    @Test
    void shouldCarryBothDirectionsAtOnce() throws Exception
    {
        session = RawBackend::echo;
        try (Socket client = connect())
        {
            final Thread writer = new Thread(() ->
            {
                try
                {
                    client.getOutputStream().write(DATA);
                    client.shutdownOutput();
                }
                catch (final IOException ex)
                {
                    throw new AssertionError(ex);
                }
            });
            writer.start();
            assertEquals("ok", receiveAll(client.getInputStream()));
            writer.join();
        }
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Reads to EOF and compares with {@link #DATA}: "ok" or what differed. */
    static String receiveAll(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[256 * 1024];
        int total = 0;
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            if (total + read > SIZE)
            {
                return "more than " + SIZE + " bytes";
            }
            final int mismatch = Arrays.mismatch(buffer, 0, read, DATA, total, total + read);
            if (mismatch >= 0)
            {
                return "byte " + (total + mismatch) + " differs";
            }
            total += read;
        }
        return total == SIZE ? "ok" : "EOF after " + total + " of " + SIZE + " bytes";
    }

    private static boolean isAvailable(final RuntimeConfig.Transport transport)
    {
        switch (transport)
        {
            case IO_URING:
                return Transport.IO_URING.isAvailable();
            case EPOLL:
                return Transport.EPOLL.isAvailable();
            default:
                return true;
        }
    }
}
