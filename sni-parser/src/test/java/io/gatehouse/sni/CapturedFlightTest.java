package io.gatehouse.sni;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.sni.FirstFlightParser.TLS_1_2;
import static io.gatehouse.sni.FirstFlightParser.TLS_1_3;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real first flights captured on loopback from several client stacks (see
 * src/test/resources/fixtures/README.md), each whole, at every split point, and (TLS) at every
 * record fragmentation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CapturedFlightTest
{
    private static final List<String> H2_HTTP11 = List.of("h2", "http/1.1");
    /** OpenSSL 3.0's default supported_versions (so curl's too) still lists TLS 1.1 and 1.0. */
    private static final int ALL_FOUR = FirstFlightParser.TLS_1_0 | FirstFlightParser.TLS_1_1 | TLS_1_2 | TLS_1_3;

    static Stream<Arguments> fixtures()
    {
        return Stream.of(
            Arguments.of("openssl-tls12", PeekProtocol.TLS, "openssl12.example.test", List.of(), TLS_1_2),
            Arguments.of("openssl-tls13", PeekProtocol.TLS, "openssl13.example.test", List.of(), TLS_1_3),
            Arguments.of("openssl-alpn", PeekProtocol.TLS, "alpn.example.test", H2_HTTP11, ALL_FOUR),
            Arguments.of("openssl-maxfrag", PeekProtocol.TLS, "fragmented.example.test", OPENSSL_LONG_ALPN, ALL_FOUR),
            Arguments.of("curl-https", PeekProtocol.TLS, "curl.example.test", H2_HTTP11, ALL_FOUR),
            Arguments.of("jdk-sslsocket", PeekProtocol.TLS, "jdk.example.test", H2_HTTP11, TLS_1_3 | TLS_1_2),
            Arguments.of("python-ssl", PeekProtocol.TLS, "python.example.test", H2_HTTP11, TLS_1_3 | TLS_1_2),
            Arguments.of("netty-jdk", PeekProtocol.TLS, "netty.example.test", H2_HTTP11, TLS_1_3 | TLS_1_2),
            Arguments.of("curl-http1", PeekProtocol.HTTP1, "http1.example.test", List.of(), 0),
            Arguments.of("curl-h2c", PeekProtocol.H2C, "h2c.example.test", List.of(), 0));
    }

    private static final List<String> OPENSSL_LONG_ALPN = longAlpn();

    private static List<String> longAlpn()
    {
        final java.util.ArrayList<String> ids = new java.util.ArrayList<>(H2_HTTP11);
        for (int i = 0; i < 16; i++)
        {
            ids.add(String.format("proto-%02d-%s", i, "x".repeat(20)));
        }
        return List.copyOf(ids);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldFindNameAlpnAndVersionsOfEveryCapturedClient(
        final String fixture, final PeekProtocol protocol, final String name, final List<String> alpn, final int versions)
    {
        final Flight flight = Flight.peek(Flight.fixture(fixture));

        assertEquals(new Flight(PeekStatus.OK, protocol, name, alpn, versions, false, null), flight);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldNeedMoreDataAtEverySplitPointUntilTheLastByte(final String fixture)
    {
        final byte[] bytes = Flight.fixture(fixture);
        final Flight whole = Flight.peek(bytes);
        for (int length = 0; length < bytes.length; length++)
        {
            final Flight prefix = Flight.peek(new FirstFlightParser(), bytes, length);
            assertEquals(PeekStatus.NEED_MORE_DATA, prefix.status(), fixture + " prefix of " + length);
        }
        assertEquals(PeekStatus.OK, whole.status());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldAnswerTheSameWhenOneParserIsFedOneByteAtATime(final String fixture)
    {
        final byte[] bytes = Flight.fixture(fixture);
        final FirstFlightParser parser = new FirstFlightParser();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        PeekStatus status = PeekStatus.NEED_MORE_DATA;
        int length = 0;
        while (status == PeekStatus.NEED_MORE_DATA && length < bytes.length)
        {
            status = parser.parse(buffer, 0, ++length);
        }

        assertEquals(bytes.length, length);
        assertEquals(Flight.peek(bytes), Flight.of(parser, status));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldAnswerTheSameAtAnOffsetInsideALargerBuffer(final String fixture)
    {
        final byte[] bytes = Flight.fixture(fixture);
        final byte[] padded = Flight.concat(new byte[37], bytes, new byte[11]);
        final FirstFlightParser parser = new FirstFlightParser();

        final PeekStatus status = parser.parse(new UnsafeBuffer(padded), 37, bytes.length);

        assertEquals(Flight.peek(bytes), Flight.of(parser, status));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldAnswerTheSameForEveryRecordFragmentation(final String fixture, final PeekProtocol protocol)
    {
        if (protocol != PeekProtocol.TLS)
        {
            return;
        }
        final byte[] bytes = Flight.fixture(fixture);
        final Flight expected = Flight.peek(bytes);
        final int handshakeBytes = handshakeLength(bytes);
        for (int recordBytes = 1; recordBytes <= handshakeBytes; recordBytes++)
        {
            final byte[] fragmented = ClientHelloBuilder.refragment(bytes, recordBytes);
            assertEquals(expected, Flight.peek(fragmented), fixture + " in records of " + recordBytes);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldNeedMoreDataAtEverySplitPointOfAFragmentedHello(final String fixture, final PeekProtocol protocol)
    {
        if (protocol != PeekProtocol.TLS)
        {
            return;
        }
        for (final int recordBytes : new int[] {1, 7, 100})
        {
            final byte[] fragmented = ClientHelloBuilder.refragment(Flight.fixture(fixture), recordBytes);
            final FirstFlightParser parser = new FirstFlightParser();
            final UnsafeBuffer buffer = new UnsafeBuffer(fragmented);
            for (int length = 0; length < fragmented.length; length++)
            {
                assertEquals(PeekStatus.NEED_MORE_DATA, parser.parse(buffer, 0, length), fixture + " / " + recordBytes + " at " + length);
            }
            assertEquals(PeekStatus.OK, parser.parse(buffer, 0, fragmented.length));
        }
    }

    private static int handshakeLength(final byte[] flight)
    {
        int total = 0;
        for (int offset = 0; offset < flight.length; )
        {
            final int length = ((flight[offset + 3] & 0xff) << 8) | (flight[offset + 4] & 0xff);
            total += length;
            offset += 5 + length;
        }
        return total;
    }
}
