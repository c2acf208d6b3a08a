package io.gatehouse.router.peek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatehouse.router.Await;
import io.gatehouse.router.LeakGuard;
import io.gatehouse.router.RawBackend;
import io.gatehouse.router.Router;
import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.router.config.RuntimeConfig;
import io.gatehouse.router.metrics.Counter;
import io.gatehouse.router.proxy.ProxyHeaderParser;
import io.gatehouse.router.proxy.ProxyHeaderStatus;
import io.gatehouse.router.proxy.ProxyProtocolDescriptor;
import io.gatehouse.sni.ClientHelloBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROXY protocol out (v1, v2 with authority and ALPN TLVs) checked by a backend that parses it with the
 * strict parser, and PROXY in from trusted sources only.
 */
@ExtendWith(LeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolTest
{
    /** What the backend saw: the parsed header's fields, then the client's bytes after it. */
    record Seen(String text, byte[] rest)
    {
    }

    private final LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private RawBackend backend;
    private Router router;

    @BeforeAll
    void start() throws Exception
    {
        backend = new RawBackend("proxy-reader", socket ->
        {
            final byte[] buffer = new byte[8192];
            int length = 0;
            final ProxyHeaderParser parser = new ProxyHeaderParser();
            final InputStream in = socket.getInputStream();
            ProxyHeaderStatus status = ProxyHeaderStatus.NEED_MORE_DATA;
            while (status == ProxyHeaderStatus.NEED_MORE_DATA)
            {
                final int read = in.read(buffer, length, buffer.length - length);
                if (read < 0)
                {
                    break;
                }
                length += read;
                status = parser.parse(new UnsafeBuffer(buffer), 0, length);
            }
            if (status != ProxyHeaderStatus.OK)
            {
                seen.add(new Seen("status " + status, new byte[0]));
                return;
            }
            final StringBuilder text = new StringBuilder("v" + parser.version() + " " + parser.sourceInetAddress().getHostAddress()
                + ":" + parser.sourcePort() + " -> " + parser.destinationInetAddress().getHostAddress() + ":" + parser.destinationPort());
            for (final int type : new int[] {ProxyProtocolDescriptor.PP2_TYPE_AUTHORITY, ProxyProtocolDescriptor.PP2_TYPE_ALPN})
            {
                final int tlv = parser.findTlv(type);
                if (tlv >= 0)
                {
                    text.append(type == ProxyProtocolDescriptor.PP2_TYPE_ALPN ? " alpn=" : " authority=").append(new String(
                        buffer, parser.tlvValueOffset(tlv), parser.tlvValueLength(tlv), StandardCharsets.US_ASCII));
                }
            }
            final int header = parser.headerLength();
            final byte[] rest = Arrays.copyOfRange(buffer, header, length);
            seen.add(new Seen(text.toString(), rest));
            socket.getOutputStream().write('k');
            in.readAllBytes();
        });
        router = Router.start(TestConfigs.config(RuntimeConfig.Transport.AUTO, 1,
            TestConfigs.listener("v1-out",
                TestConfigs.route(List.of("v1.test"), List.of(), RouteConfig.ProxyProtocolOut.V1, backend.address()))
                .defaultRoute("v1.test"),
            TestConfigs.listener("v2-out",
                TestConfigs.route(List.of("v2.test"), List.of(), RouteConfig.ProxyProtocolOut.V2, backend.address())),
            TestConfigs.listener("trusting",
                TestConfigs.route(List.of("v1.test"), List.of(), RouteConfig.ProxyProtocolOut.V1, backend.address()))
                .defaultRoute("v1.test")
                .proxyFrom(new Cidr(new byte[] {127, 0, 0, 0}, 8))
                .deny(new Cidr(new byte[] {(byte)198, 51, 100, 0}, 24)),
            TestConfigs.listener("distrusting",
                TestConfigs.route(List.of("v1.test"), List.of(), RouteConfig.ProxyProtocolOut.V1, backend.address()))
                .defaultRoute("v1.test")
                .proxyFrom(new Cidr(new byte[] {10, 0, 0, 0}, 8))));
    }

    @AfterAll
    void stop() throws IOException
    {
        router.close();
        backend.close();
    }

    @Test
    void shouldSendAVersion1HeaderWithTheClientsAddressesBeforeItsBytes() throws Exception
    {
        final InetSocketAddress listener = router.boundAddress("v1-out");
        try (Socket client = connect(listener))
        {
            client.getOutputStream().write(new byte[] {0, 'h', 'i'});
            final Seen header = seen.poll(10, TimeUnit.SECONDS);
            assertEquals("v1 127.0.0.1:" + client.getLocalPort() + " -> 127.0.0.1:" + listener.getPort(), header.text());
            assertArrayEquals(new byte[] {0, 'h', 'i'}, header.rest());
        }
    }

    @Test
    void shouldSendAVersion2HeaderWithAuthorityAndAlpnTlvs() throws Exception
    {
        final InetSocketAddress listener = router.boundAddress("v2-out");
        final byte[] hello = new ClientHelloBuilder().serverName("V2.test").alpn("h2", "http/1.1").build();
        try (Socket client = connect(listener))
        {
            client.getOutputStream().write(hello);
            final Seen header = seen.poll(10, TimeUnit.SECONDS);
            assertEquals("v2 127.0.0.1:" + client.getLocalPort() + " -> 127.0.0.1:" + listener.getPort()
                + " authority=v2.test alpn=h2", header.text());
            assertArrayEquals(hello, Arrays.copyOf(header.rest(), Math.min(header.rest().length, hello.length)));
        }
    }

    @Test
    void shouldTakeTheClientAddressFromATrustedSourcesProxyHeader() throws Exception
    {
        try (Socket client = connect(router.boundAddress("trusting")))
        {
            client.getOutputStream().write(("PROXY TCP4 192.0.2.7 192.0.2.8 5555 443\r\n").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write(new byte[] {0, 'x'});
            final Seen header = seen.poll(10, TimeUnit.SECONDS);
            assertEquals("v1 192.0.2.7:5555 -> 192.0.2.8:443", header.text(), "the backend sees the client, not the balancer");
            assertArrayEquals(new byte[] {0, 'x'}, header.rest(), "the inbound header is not forwarded");
        }
    }

    @Test
    void shouldApplyTheDenyListToTheAddressFromTheProxyHeader() throws Exception
    {
        final long before = router.metrics().total(Counter.REJECTED_ACL);
        try (Socket client = connect(router.boundAddress("trusting")))
        {
            client.getOutputStream().write(("PROXY TCP4 198.51.100.9 192.0.2.8 5555 443\r\n\0").getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(before + 1, router.metrics().total(Counter.REJECTED_ACL));
    }

    @Test
    void shouldCloseATrustedSourceThatSendsNoValidHeader() throws Exception
    {
        final long before = router.metrics().total(Counter.REJECTED_PROXY_HEADER);
        try (Socket client = connect(router.boundAddress("trusting")))
        {
            client.getOutputStream().write(("PROXY TCP4 192.0.2.7 192.0.2.8 99999 443\r\n").getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, client.getInputStream().read());
        }
        try (Socket client = connect(router.boundAddress("trusting")))
        {
            client.getOutputStream().write(new ClientHelloBuilder().serverName("v1.test").build());
            assertEquals(-1, client.getInputStream().read());
        }
        Await.until("both refusals counted", () -> router.metrics().total(Counter.REJECTED_PROXY_HEADER) == before + 2);
    }

    @Test
    void shouldRefuseAProxyHeaderFromAnUntrustedSource() throws Exception
    {
        final long before = router.metrics().total(Counter.REJECTED_PROXY_HEADER);
        try (Socket client = connect(router.boundAddress("distrusting")))
        {
            client.getOutputStream().write(("PROXY TCP4 192.0.2.7 192.0.2.8 5555 443\r\n\0").getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(before + 1, router.metrics().total(Counter.REJECTED_PROXY_HEADER));
        try (Socket client = connect(router.boundAddress("distrusting")))
        {
            client.getOutputStream().write(new byte[] {0, 'o', 'k'});
            final Seen header = seen.poll(10, TimeUnit.SECONDS);
            assertEquals("v1 127.0.0.1:" + client.getLocalPort() + " -> 127.0.0.1:" + client.getPort(), header.text(),
                "an untrusted source without a header is served as itself");
        }
    }

    private static Socket connect(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }
}
