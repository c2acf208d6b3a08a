package io.gatehouse.router.dispatch;

import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.peek.PeekResult;
import io.gatehouse.router.proxy.ClientAddress;
import io.gatehouse.router.proxy.ProxyHeaderEncoder;
import io.gatehouse.router.route.Route;
import io.gatehouse.sni.FirstFlightParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The PROXY header a route wants written before the client's bytes: v1, or v2 with the routed name as
 * PP2_TYPE_AUTHORITY and, as PP2_TYPE_ALPN, the first protocol the client offered that the route's ALPN
 * condition accepts (any offered one when the route has no condition). Encoded at dispatch, while the
 * peek's views are valid.
 *
 * <p>Thread: the client's event loop (the encoder and the scratch view are that loop's). Allocates the one
 * heap buffer it returns.
 */
public final class ProxyHeaderOut
{
    /** A v1 header is at most 107 bytes with its CRLF. */
    private static final int PROXY_V1_MAX_BYTES = 108;

    private ProxyHeaderOut()
    {
    }

    /**
     * @param flight  the peek whose name and ALPN a v2 header carries, or {@code null}.
     * @param scratch a view this call may point anywhere (not the one holding the peek).
     * @return the header, or {@code null} when the route wants none (or it could not be encoded).
     */
    public static ByteBuf encode(
        final Route target, final PeekResult flight, final ClientAddress client, final ProxyHeaderEncoder encoder,
        final UnsafeBuffer scratch, final ByteBufAllocator allocator)
    {
        final RouteConfig.ProxyProtocolOut version = target.proxyProtocol();
        if (version == RouteConfig.ProxyProtocolOut.NONE)
        {
            return null;
        }
        encoder.reset().source(client.source(), client.sourcePort());
        if (client.destination() != null)
        {
            encoder.destination(client.destination(), client.destinationPort());
        }
        else
        {
            encoder.destination(client.local());
        }
        if (version == RouteConfig.ProxyProtocolOut.V2 && flight != null)
        {
            final FirstFlightParser parser = flight.flight();
            if (flight.hasName())
            {
                encoder.authority(parser.name(), 0, parser.nameLength());
            }
            final int alpn = chosenAlpn(target, parser);
            if (alpn >= 0)
            {
                encoder.alpn(parser.alpnBuffer(), parser.alpnOffset(alpn), parser.alpnLength(alpn));
            }
        }
        final int capacity = version == RouteConfig.ProxyProtocolOut.V1 ? PROXY_V1_MAX_BYTES : encoder.encodedLengthV2();
        final ByteBuf header = allocator.heapBuffer(Math.max(capacity, 1));
        scratch.wrap(header.array(), header.arrayOffset(), header.capacity());
        final int written = version == RouteConfig.ProxyProtocolOut.V1
            ? encoder.encodeV1(scratch, 0, header.capacity())
            : encoder.encodeV2(scratch, 0, header.capacity());
        if (written < 0)
        {
            header.release();
            return null;
        }
        return header.writerIndex(written);
    }

    private static int chosenAlpn(final Route target, final FirstFlightParser flight)
    {
        for (int i = 0, count = flight.alpnCount(); i < count; i++)
        {
            if (!target.hasAlpnCondition())
            {
                return i;
            }
            for (int r = 0; r < target.alpnCount(); r++)
            {
                final byte[] wanted = target.alpn(r);
                if (wanted.length == flight.alpnLength(i) && sameBytes(wanted, flight, i))
                {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean sameBytes(final byte[] wanted, final FirstFlightParser flight, final int index)
    {
        final int offset = flight.alpnOffset(index);
        for (int i = 0; i < wanted.length; i++)
        {
            if (flight.alpnBuffer().getByte(offset + i) != wanted[i])
            {
                return false;
            }
        }
        return true;
    }
}
