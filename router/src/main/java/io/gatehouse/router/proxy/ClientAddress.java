package io.gatehouse.router.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Who the client is and where it connected, as the router acts on them: the TCP connection's addresses,
 * replaced by a trusted PROXY header's ({@link ProxyIn}) before anything admits, hashes or writes them.
 * Read by dispatch (admission after routing, the hash key) and by the outgoing PROXY header.
 *
 * <p>Thread: the client's event loop. Not thread-safe. One per connection; a PROXY header allocates its
 * two address arrays and one {@link InetAddress}.
 */
public final class ClientAddress
{
    private final InetSocketAddress local;
    private byte[] source;
    private InetAddress sourceAddress;
    private int sourcePort;
    private byte[] destination;
    private int destinationPort;

    /**
     * @param source the TCP peer's address bytes ({@code remote.getAddress().getAddress()}).
     * @param remote the TCP peer.
     * @param local  the listening address the client connected to.
     */
    public ClientAddress(final byte[] source, final InetSocketAddress remote, final InetSocketAddress local)
    {
        this.local = local;
        this.source = source;
        this.sourceAddress = remote.getAddress();
        this.sourcePort = remote.getPort();
        this.destinationPort = local.getPort();
    }

    /** A PROXY header named the connection's ends; the TCP ones no longer count. */
    void fromProxyHeader(
        final byte[] sourceBytes, final InetAddress address, final int port, final byte[] destinationBytes, final int toPort)
    {
        source = sourceBytes;
        sourceAddress = address;
        sourcePort = port;
        destination = destinationBytes;
        destinationPort = toPort;
    }

    /** The client's address bytes (4 or 16). */
    public byte[] source()
    {
        return source;
    }

    public InetAddress sourceAddress()
    {
        return sourceAddress;
    }

    public int sourcePort()
    {
        return sourcePort;
    }

    /** The destination a PROXY header named, or {@code null}: then it is {@link #local()}. */
    public byte[] destination()
    {
        return destination;
    }

    public int destinationPort()
    {
        return destinationPort;
    }

    /** The listening address the TCP connection reached. */
    public InetSocketAddress local()
    {
        return local;
    }
}
