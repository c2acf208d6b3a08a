package io.gatehouse.router.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.agrona.DirectBuffer;

/**
 * The PROXY-in stage: all bytes a connection sent so far in, a {@link Status} out. Two questions:
 * <ul>
 * <li>{@link #read}: a source trusted to send a PROXY header must open with one; parsed strictly, its
 * addresses then stand for the client ({@link ClientAddress}), and the client's own bytes start
 * {@link #headerLength()} bytes in.</li>
 * <li>{@link #screen}: from any other source, and right after a trusted header, bytes that start with a
 * PROXY signature (v1 {@code "PROXY "}, v2's 12 bytes) are refused on every listener; bytes that so far
 * are only a prefix of one wait for the next segment, so a signature split over segments is refused
 * too.</li>
 * </ul>
 * The caller owns the bytes and the order; this stage calls nothing after itself.
 *
 * <p>Thread: the client's event loop (the parser is that loop's). Not thread-safe. One per connection
 * from a trusted source; a header's addresses allocate (see {@link ClientAddress}); screening allocates
 * nothing.
 */
public final class ProxyIn
{
    /** What {@link #read} found. */
    public enum Status
    {
        /** A header has begun (or nothing has arrived): call again with all bytes so far. */
        NEED_MORE_DATA,
        /** A whole, valid header; the addresses were written to the {@link ClientAddress}. */
        HEADER,
        /** Not a valid header (or none at all): refuse the connection. */
        REFUSED
    }

    /** What {@link #screen} found. */
    public enum Screen
    {
        /** The bytes start with no PROXY signature: the peek may go on. */
        CLEAN,
        /** The bytes so far are a prefix of a signature: wait for more. */
        PREFIX,
        /** A signature (or a prefix as long as the peek bound): refuse the connection. */
        REFUSED
    }

    private final ProxyHeaderParser parser;
    private int headerLength;

    /** @param parser the loop's parser (reset by each parse). */
    public ProxyIn(final ProxyHeaderParser parser)
    {
        this.parser = parser;
    }

    /**
     * Parses a trusted source's header over {@code length} bytes from {@code offset}; on {@link Status#HEADER}
     * a header carrying INET or INET6 addresses (not LOCAL, UNSPEC or UNIX) replaces {@code client}'s.
     */
    public Status read(final DirectBuffer bytes, final int offset, final int length, final ClientAddress client)
    {
        final ProxyHeaderStatus status = parser.parse(bytes, offset, length);
        if (status == ProxyHeaderStatus.NEED_MORE_DATA)
        {
            return Status.NEED_MORE_DATA;
        }
        if (status != ProxyHeaderStatus.OK)
        {
            return Status.REFUSED;
        }
        if (parser.addressLength() > 0 && parser.family() != ProxyHeaderParser.Family.UNIX)
        {
            final int addressBytes = parser.family() == ProxyHeaderParser.Family.INET ? 4 : 16;
            final byte[] source = new byte[addressBytes];
            parser.copySourceAddress(source, 0);
            final byte[] destination = new byte[addressBytes];
            parser.copyDestinationAddress(destination, 0);
            final InetAddress sourceAddress;
            try
            {
                sourceAddress = InetAddress.getByAddress(source);
            }
            catch (final UnknownHostException ex)
            {
                return Status.REFUSED;
            }
            client.fromProxyHeader(source, sourceAddress, parser.sourcePort(), destination, parser.destinationPort());
        }
        headerLength = parser.headerLength();
        return Status.HEADER;
    }

    /** After {@link Status#HEADER}: how many of the bytes were the header. */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * Screens all bytes so far ({@code length} from {@code offset}) for a PROXY signature; {@code maxBytes}
     * is the peek bound: a prefix that long is refused rather than waited on.
     */
    public static Screen screen(final DirectBuffer bytes, final int offset, final int length, final int maxBytes)
    {
        final ProxyHeaderStatus signature = ProxyHeaderParser.signature(bytes, offset, length);
        if (signature == ProxyHeaderStatus.NOT_PROXY)
        {
            return Screen.CLEAN;
        }
        if (signature == ProxyHeaderStatus.OK || length >= maxBytes)
        {
            return Screen.REFUSED;
        }
        return Screen.PREFIX;
    }
}
