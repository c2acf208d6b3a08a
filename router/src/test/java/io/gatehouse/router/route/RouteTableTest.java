package io.gatehouse.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.TestConfigs;
import io.gatehouse.router.config.ListenerConfig;
import io.gatehouse.router.config.RouteConfig;
import io.gatehouse.sni.ClientHelloBuilder;
import io.gatehouse.sni.FirstFlightParser;
import io.gatehouse.sni.PeekStatus;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RouteTableTest
{
    private static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 9);

    private final RouteTable table = new RouteCompiler(1).compile(TestConfigs.listener("t",
        TestConfigs.route(List.of("a.example.test", "alias.test"), BACKEND),
        TestConfigs.route(List.of("*.example.test"), BACKEND),
        TestConfigs.route(List.of("*.deep.example.test"), BACKEND),
        TestConfigs.route(List.of("h2only.test"), List.of("h2"), RouteConfig.ProxyProtocolOut.NONE, BACKEND),
        TestConfigs.route(List.of("alpn.test"), List.of("h2"), RouteConfig.ProxyProtocolOut.NONE, BACKEND),
        TestConfigs.route(List.of("alpn.test"), List.of("acme-tls/1"), RouteConfig.ProxyProtocolOut.NONE, BACKEND),
        TestConfigs.route(List.of("*.alpn.test"), BACKEND),
        TestConfigs.route(List.of("alpn.test.plain"), BACKEND),
        TestConfigs.route(List.of("secret.w.test"), List.of("h2"), RouteConfig.ProxyProtocolOut.NONE, BACKEND),
        TestConfigs.route(List.of("*.deep.w.test"), List.of("h2"), RouteConfig.ProxyProtocolOut.NONE, BACKEND),
        TestConfigs.route(List.of("*.w.test"), BACKEND))
        .defaultRoute("alias.test").build());

    @Test
    void shouldFindAnExactNameAndItsAliases()
    {
        assertEquals("a.example.test", lookup("a.example.test").id());
        assertEquals("a.example.test", lookup("alias.test").id());
    }

    @Test
    void shouldFoldAsciiCase()
    {
        assertEquals("a.example.test", lookup("A.EXAMPLE.Test").id());
    }

    @Test
    void shouldMatchWildcardsAtAnyDepthButNotTheBareSuffix()
    {
        assertEquals("*.example.test", lookup("x.example.test").id());
        assertEquals("*.example.test", lookup("y.x.example.test").id());
        assertNull(lookup("example.test"));
        assertNull(lookup(".example.test"));
    }

    @Test
    void shouldPreferTheMostSpecificMatch()
    {
        assertEquals("*.deep.example.test", lookup("x.deep.example.test").id());
        assertEquals("*.example.test", lookup("deep.example.test").id());
    }

    @Test
    void shouldReturnNullForNoMatchAndKeepTheDefaultApart()
    {
        assertNull(lookup("nowhere.test"));
        assertNull(lookup(""));
        assertEquals("a.example.test", table.defaultRoute().id());
    }

    @Test
    void shouldHonourAlpnConditionsInFileOrderAndAnswerNoRouteWhenNoneIsAccepted()
    {
        assertEquals("h2only.test", lookupWithAlpn("h2only.test", "http/1.1", "h2").id());
        assertNull(lookupWithAlpn("h2only.test", "http/1.1"));
        assertNull(lookupWithAlpn("h2only.test"));
        final Route h2 = lookupWithAlpn("alpn.test", "h2");
        final Route acme = lookupWithAlpn("alpn.test", "acme-tls/1");
        assertTrue(h2 != acme && h2.alpn(0).length == 2 && acme.alpn(0).length == 10);
    }

    @Test
    void shouldNeverFallBackToALessSpecificNameWhenTheAlpnConditionFails()
    {
        assertEquals("secret.w.test", lookupWithAlpn("secret.w.test", "h2").id());
        assertNull(lookupWithAlpn("secret.w.test", "http/1.1"), "an exact name's ALPN refusal must not reach *.w.test");
        assertNull(lookupWithAlpn("secret.w.test"));
        assertNull(lookup("secret.w.test"), "no offer at all (HTTP/1, h2c) must not reach *.w.test either");
        assertNull(lookup("SECRET.W.TEST"));
        assertNull(lookupWithAlpn("a.deep.w.test", "http/1.1"), "a wildcard's ALPN refusal must not reach *.w.test");
        assertEquals("*.deep.w.test", lookupWithAlpn("x.a.deep.w.test", "h2").id());
        assertEquals("*.w.test", lookupWithAlpn("other.w.test", "http/1.1").id());
        assertEquals("*.w.test", lookup("x.secret.w.test").id(), "a name below secret.w.test is not secret.w.test");
        assertEquals("*.w.test", lookup("deep.w.test").id(), "the bare suffix of *.deep.w.test is not covered by it");
    }

    @Test
    void shouldRejectANameClaimedByTwoRoutesWithoutAlpnConditions()
    {
        final ListenerConfig twice = TestConfigs.listener("t",
            TestConfigs.route(List.of("a.test"), BACKEND), TestConfigs.route(List.of("A.test."), BACKEND)).build();
        assertThrows(IllegalArgumentException.class, () -> new RouteCompiler(1).compile(twice));
    }

    @Test
    void shouldLookUpWithoutAllocating()
    {
        final UnsafeBuffer[] names = {
            ascii("a.example.test"), ascii("x.deep.example.test"), ascii("nowhere.at.all.test"), ascii("ALIAS.test")};
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final UnsafeBuffer name = names[i & 3];
            final Route route = table.lookup(name, 0, name.capacity(), null);
            sink += route == null ? 1 : route.connectAttempts();
        }
        // The least of three rounds: a JIT event on a loaded machine can land a few hundred bytes in one
        // round (seen once in the full suite); a lookup that allocates shows in every round.
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++)
            {
                final UnsafeBuffer name = names[i & 3];
                final Route route = table.lookup(name, 0, name.capacity(), null);
                sink += route == null ? 1 : route.connectAttempts();
            }
            allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertTrue(sink > 0);
        assertTrue(allocated < 1024, "100,000 lookups allocated " + allocated + " bytes");
    }

    private Route lookup(final String name)
    {
        final UnsafeBuffer buffer = ascii(name);
        return table.lookup(buffer, 0, buffer.capacity(), null);
    }

    private Route lookupWithAlpn(final String name, final String... alpn)
    {
        final FirstFlightParser parser = new FirstFlightParser();
        final byte[] hello = new ClientHelloBuilder().serverName(name).alpn(alpn).build();
        assertSame(PeekStatus.OK, parser.parse(new UnsafeBuffer(hello), 0, hello.length));
        return table.lookup(parser.name(), 0, parser.nameLength(), parser);
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
