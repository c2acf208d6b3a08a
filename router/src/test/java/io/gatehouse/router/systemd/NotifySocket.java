package io.gatehouse.router.systemd;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The test's side of {@code $NOTIFY_SOCKET}: a bound unix datagram socket that a test reads
 * notify messages from, as systemd's manager does.
 */
public final class NotifySocket implements AutoCloseable
{
    private final Socket socket;
    private final String address;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(SystemdNotifier.MAX_MESSAGE_BYTES + 1);

    private NotifySocket(final Socket socket, final String address)
    {
        this.socket = socket;
        this.address = address;
    }

    /** Binds {@code address}: an absolute path, or {@code @name} in the abstract namespace. */
    public static NotifySocket bind(final String address) throws IOException
    {
        Epoll.ensureAvailability();
        final Socket socket = Socket.newSocketDomainDgram();
        final String path = address.charAt(0) == '@' ? '\0' + address.substring(1) : address;
        socket.bind(new DomainSocketAddress(path));
        return new NotifySocket(socket, address);
    }

    /** What to put in {@code NOTIFY_SOCKET}. */
    public String address()
    {
        return address;
    }

    /** The next datagram, or {@code null} when none came within {@code timeoutMs}. */
    public String receive(final long timeoutMs) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true)
        {
            buffer.clear();
            final DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buffer, 0, buffer.capacity());
            if (from != null && from.receivedAmount() >= 0)
            {
                final byte[] bytes = new byte[from.receivedAmount()];
                buffer.get(0, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            if (deadlineNs - System.nanoTime() < 0)
            {
                return null;
            }
            Thread.sleep(2);
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
