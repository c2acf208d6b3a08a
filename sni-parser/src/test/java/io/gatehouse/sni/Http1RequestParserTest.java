package io.gatehouse.sni;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Http1RequestParserTest
{
    static Stream<Arguments> requests()
    {
        return Stream.of(
            Arguments.of("Host with port and upper case",
                "GET / HTTP/1.1\r\nHost: Example.COM:8080\r\n\r\n", PeekStatus.OK, "example.com"),
            Arguments.of("header name in any case, OWS around the value",
                "GET / HTTP/1.1\r\nhOsT: \t a.example \t\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("trailing dot removed", "HEAD / HTTP/1.0\r\nHost: a.example.\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("absolute-form and a Host naming another host (issue 12.9; HAProxy answers 400)",
                "GET http://a.example:81/x?y HTTP/1.1\r\nHost: b.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("absolute-form and the same Host, case, trailing dot and port aside",
                "GET http://a.example:81/x?y HTTP/1.1\r\nHost: A.Example.:80\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("absolute-form and an empty Host", "GET http://a.example/ HTTP/1.1\r\nHost:\r\n\r\n",
                PeekStatus.MALFORMED, null),
            Arguments.of("absolute-form and a malformed Host", "GET http://a.example/ HTTP/1.1\r\nHost: a..example\r\n\r\n",
                PeekStatus.MALFORMED, null),
            Arguments.of("CONNECT and a Host naming another host",
                "CONNECT a.example:443 HTTP/1.1\r\nHost: secret.example:443\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("CONNECT and a Host without the port (HAProxy 2.6+ accepts it)",
                "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("CONNECT without Host", "CONNECT a.example:443 HTTP/1.1\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("absolute-form without a path", "GET https://a.example HTTP/1.1\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("CONNECT authority-form", "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
                PeekStatus.OK, "a.example"),
            Arguments.of("OPTIONS asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: a.example\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("POST, PUT and PATCH start like the h2c preface",
                "PATCH /x HTTP/1.1\r\nHost: a.example\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("PUT", "PUT /x HTTP/1.1\r\nHost: a.example\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("bare LF line ends", "GET / HTTP/1.1\nHost: a.example\n\n", PeekStatus.OK, "a.example"),
            Arguments.of("IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", PeekStatus.OK, "::1"),
            Arguments.of("the same Host twice", "GET / HTTP/1.1\r\nHost: a.example\r\nX: y\r\nHost: A.example\r\n\r\n",
                PeekStatus.OK, "a.example"),
            Arguments.of("empty port", "GET / HTTP/1.1\r\nHost: a.example:\r\n\r\n", PeekStatus.OK, "a.example"),
            Arguments.of("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", PeekStatus.NO_NAME, null),
            Arguments.of("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", PeekStatus.NO_NAME, null),
            Arguments.of("two different Host fields (smuggling shape)",
                "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("obs-fold (smuggling shape)", "GET / HTTP/1.1\r\nX: a\r\n Host: b.example\r\nHost: a.example\r\n\r\n",
                PeekStatus.MALFORMED, null),
            Arguments.of("whitespace before the colon (smuggling shape)",
                "GET / HTTP/1.1\r\nHost : b.example\r\nHost: a.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("Transfer-Encoding with a space before the colon",
                "POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding : chunked\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("bare CR inside a field (smuggling shape)", "GET / HTTP/1.1\r\nHost: a.example\rX: y\r\n\r\n",
                PeekStatus.MALFORMED, null),
            Arguments.of("NUL in a field", "GET / HTTP/1.1\r\nHost: a.ex\0ample\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("userinfo in Host", "GET / HTTP/1.1\r\nHost: user@a.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("bad port", "GET / HTTP/1.1\r\nHost: a.example:44x\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: a.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("two spaces in the request line", "GET  / HTTP/1.1\r\nHost: a.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("HTTP/0.9 request line", "GET /\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("absolute-form without an authority", "GET http:///x HTTP/1.1\r\nHost: a.example\r\n\r\n",
                PeekStatus.MALFORMED, null),
            Arguments.of("relative target", "GET x HTTP/1.1\r\nHost: a.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("field line without a colon", "GET / HTTP/1.1\r\nHost a.example\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("lower-case method", "get / HTTP/1.1\r\n\r\n", PeekStatus.NOT_RECOGNISED, null),
            Arguments.of("a word that is not a method", "Hello there\r\n", PeekStatus.NOT_RECOGNISED, null),
            Arguments.of("a method over 24 bytes", "ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n", PeekStatus.NOT_RECOGNISED, null),
            Arguments.of("PRI then not the preface", "PRI * HTTP/1.1\r\n\r\n", PeekStatus.MALFORMED, null),
            Arguments.of("a line over 8 KiB", "GET /" + "a".repeat(8192) + " HTTP/1.1\r\n\r\n", PeekStatus.TOO_LARGE, null),
            Arguments.of("101 header fields", "GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(101) + "\r\n", PeekStatus.TOO_LARGE, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void shouldAnswerEachRequestHead(final String description, final String head, final PeekStatus status, final String name)
    {
        final Flight flight = Flight.peek(Flight.ascii(head));

        assertEquals(status, flight.status(), description + ": " + flight.reason());
        assertEquals(name, flight.name(), description);
        if (status == PeekStatus.OK || status == PeekStatus.NO_NAME)
        {
            assertEquals(PeekProtocol.HTTP1, flight.protocol());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void shouldNeedMoreDataAtEverySplitPointBeforeTheDecisiveByte(
        final String description, final String head, final PeekStatus status)
    {
        final byte[] bytes = Flight.ascii(head);
        final FirstFlightParser parser = new FirstFlightParser();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        int length = 0;
        PeekStatus answer = PeekStatus.NEED_MORE_DATA;
        while (answer == PeekStatus.NEED_MORE_DATA && length < bytes.length)
        {
            answer = parser.parse(buffer, 0, ++length);
        }

        assertEquals(status, answer, description);
        assertEquals(Flight.peek(bytes), Flight.of(parser, answer));
    }

    @Test
    void shouldMarkAnIpv4Host()
    {
        final FirstFlightParser parser = new FirstFlightParser();
        final byte[] head = Flight.ascii("GET / HTTP/1.1\r\nHost: 10.1.2.3:80\r\n\r\n");

        assertEquals(PeekStatus.OK, parser.parse(new UnsafeBuffer(head), 0, head.length));
        assertTrue(parser.nameIsIpLiteral());
    }

    @Test
    void shouldNotLookPastTheEmptyLine()
    {
        final Flight flight = Flight.peek(Flight.ascii("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n\0\0garbage\r\rHost: b"));

        assertEquals("a.example", flight.name());
    }

    @Test
    void shouldRefuseHttpWhenTheListenerAcceptsOnlyTls()
    {
        final byte[] head = Flight.ascii("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
        final FirstFlightParser parser = new FirstFlightParser(FirstFlightParser.DEFAULT_MAX_BYTES, true, false);

        assertEquals(PeekStatus.NOT_RECOGNISED, parser.parse(new UnsafeBuffer(head), 0, head.length));
    }

    @Test
    void shouldBeTooLargeWhenTheHeadDoesNotEndWithinMaxBytes()
    {
        final byte[] head = Flight.ascii("GET / HTTP/1.1\r\n" + "X-Long: y\r\n".repeat(60));
        final FirstFlightParser parser = new FirstFlightParser(256, true, true);

        assertEquals(PeekStatus.TOO_LARGE, parser.parse(new UnsafeBuffer(head), 0, head.length));
    }
}
