package io.gatehouse.sni;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.sni.HandBuiltHello.cat;
import static io.gatehouse.sni.HandBuiltHello.extension;
import static io.gatehouse.sni.HandBuiltHello.sniExtension;
import static io.gatehouse.sni.HandBuiltHello.u16;
import static io.gatehouse.sni.HandBuiltHello.u24;
import static io.gatehouse.sni.HandBuiltHello.u8;
import static io.gatehouse.sni.HandBuiltHello.withExtensions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientHelloParserTest
{
    @Test
    void shouldReadTheHandBuiltHello()
    {
        assertEquals(
            new Flight(PeekStatus.OK, PeekProtocol.TLS, "a.example.test", List.of("h2", "http/1.1"),
                FirstFlightParser.TLS_1_3 | FirstFlightParser.TLS_1_2, false, null),
            Flight.peek(HandBuiltHello.hello("a.example.test")));
    }

    /** Every length field one byte long or short. A longer outer length waits for bytes that never come. */
    static Stream<Arguments> lyingLengths()
    {
        final Stream.Builder<Arguments> cases = Stream.builder();
        for (final String field : HandBuiltHello.LENGTH_FIELDS)
        {
            for (final int delta : new int[] {-1, +1})
            {
                final PeekStatus expected;
                if (field.equals("record"))
                {
                    expected = PeekStatus.NEED_MORE_DATA;      // short: the hello continues in a record not yet sent
                }
                else if (field.equals("handshake") && delta > 0)
                {
                    expected = PeekStatus.NEED_MORE_DATA;      // the hello continues in a record not yet sent
                }
                else
                {
                    expected = PeekStatus.MALFORMED;
                }
                cases.add(Arguments.of(field, delta, expected));
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lyingLengths")
    void shouldRejectEveryLengthFieldOffByOne(final String field, final int delta, final PeekStatus expected)
    {
        final Flight flight = Flight.peek(HandBuiltHello.hello("a.example.test", Map.of(field, delta)));

        assertEquals(expected, flight.status(), field + " " + delta + ": " + flight.reason());
        assertEquals(expected == PeekStatus.MALFORMED, flight.reason() != null);
    }

    static Stream<Arguments> handBuilt()
    {
        return Stream.of(
            Arguments.of("server_name twice",
                withExtensions(sniExtension(0, "a.example"), sniExtension(0, "b.example")),
                PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_DUPLICATE),
            Arguments.of("two host_name entries in one server_name",
                withExtensions(extension(0, cat(u16(20), u8(0), u16(7), Flight.ascii("a.test1"), u8(0), u16(7), Flight.ascii("b.test2")))),
                PeekStatus.MALFORMED, PeekReason.TLS_SNI_DUPLICATE),
            Arguments.of("server_name with only a non-host_name type",
                withExtensions(sniExtension(1, "a.example")), PeekStatus.NO_NAME, PeekReason.TLS_NO_HOST_NAME),
            Arguments.of("zero-length host_name",
                withExtensions(sniExtension(0, "")), PeekStatus.MALFORMED, PeekReason.TLS_SNI_EMPTY),
            Arguments.of("empty server_name list",
                withExtensions(extension(0, u16(0))), PeekStatus.MALFORMED, PeekReason.TLS_SNI_LENGTH),
            Arguments.of("empty server_name extension",
                withExtensions(extension(0, new byte[0])), PeekStatus.MALFORMED, PeekReason.TLS_SNI_LENGTH),
            Arguments.of("no server_name",
                withExtensions(extension(0x17, new byte[0])), PeekStatus.NO_NAME, PeekReason.TLS_NO_SNI),
            Arguments.of("no extensions at all",
                HandBuiltHello.record(cat(u8(1), u24(41), u16(0x0303), new byte[32], u8(0), u16(2), u16(0x002f), u8(1), u8(0))),
                PeekStatus.NO_NAME, PeekReason.TLS_NO_EXTENSIONS),
            Arguments.of("empty ALPN protocol name",
                withExtensions(sniExtension(0, "a.example"), extension(16, cat(u16(3), u8(0), u8(1), Flight.ascii("x")))),
                PeekStatus.MALFORMED, PeekReason.TLS_ALPN_EMPTY),
            Arguments.of("odd supported_versions",
                withExtensions(sniExtension(0, "a.example"), extension(43, cat(u8(3), u16(0x0304), u8(3)))),
                PeekStatus.MALFORMED, PeekReason.TLS_VERSIONS_LENGTH),
            Arguments.of("extension header cut short at the end",
                withExtensionsRaw(cat(sniExtension(0, "a.example"), u16(0x17))),
                PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_LENGTH),
            Arguments.of("handshake type server_hello",
                HandBuiltHello.record(cat(u8(2), u24(4), new byte[4])), PeekStatus.MALFORMED, PeekReason.TLS_HANDSHAKE_TYPE),
            Arguments.of("zero-length record",
                cat(u8(22), u16(0x0301), u16(0)), PeekStatus.MALFORMED, PeekReason.TLS_RECORD_EMPTY),
            Arguments.of("record over 2^14",
                cat(u8(22), u16(0x0301), u16(16385)), PeekStatus.MALFORMED, PeekReason.TLS_RECORD_LENGTH),
            Arguments.of("record version major 2",
                cat(u8(22), u16(0x0201), u16(10)), PeekStatus.MALFORMED, PeekReason.TLS_RECORD_VERSION),
            Arguments.of("a 64 KiB handshake announced in a first small record",
                cat(u8(22), u16(0x0301), u16(4), u8(1), u24(65536)), PeekStatus.TOO_LARGE, PeekReason.TLS_HANDSHAKE_TOO_LARGE),
            Arguments.of("a 64 KiB handshake in full records: the first record already passes maxBytes",
                cat(u8(22), u16(0x0301), u16(16384), u8(1), u24(65536)), PeekStatus.TOO_LARGE, PeekReason.TLS_RECORD_TOO_LARGE),
            Arguments.of("alert record instead of the second handshake record",
                cat(ClientHelloBuilder.fragment(java.util.Arrays.copyOfRange(HandBuiltHello.hello("a.example"), 5, 25), 20),
                    u8(21), u16(0x0303), u16(2), u8(2), u8(40)),
                PeekStatus.MALFORMED, PeekReason.TLS_RECORD_TYPE),
            Arguments.of("application data first",
                cat(u8(23), u16(0x0303), u16(1), u8(0)), PeekStatus.NOT_RECOGNISED, PeekReason.UNKNOWN_FIRST_BYTE),
            Arguments.of("SSLv2-compatible hello",
                cat(u8(0x80), u8(0x2e), u8(1), u16(0x0301), u16(0x15), u16(0), u16(0x10), new byte[0x15 + 0x10]),
                PeekStatus.NO_NAME, PeekReason.SSLV2_HELLO),
            Arguments.of("high-bit garbage",
                cat(u8(0x80), u8(0x2e), u8(7), u16(0x0301)), PeekStatus.NOT_RECOGNISED, PeekReason.UNKNOWN_FIRST_BYTE),
            Arguments.of("NUL garbage", new byte[8], PeekStatus.NOT_RECOGNISED, PeekReason.UNKNOWN_FIRST_BYTE),
            Arguments.of("name with a space",
                withExtensions(sniExtension(0, "a b.example")), PeekStatus.MALFORMED, PeekReason.NAME_BAD_CHARACTER),
            Arguments.of("name with a colon (no ports in SNI)",
                withExtensions(sniExtension(0, "a.example:443")), PeekStatus.MALFORMED, PeekReason.NAME_BAD_CHARACTER),
            Arguments.of("name of a single dot",
                withExtensions(sniExtension(0, ".")), PeekStatus.MALFORMED, PeekReason.NAME_EMPTY),
            Arguments.of("empty label",
                withExtensions(sniExtension(0, "a..example")), PeekStatus.MALFORMED, PeekReason.NAME_LABEL_EMPTY),
            Arguments.of("two trailing dots",
                withExtensions(sniExtension(0, "a.example..")), PeekStatus.MALFORMED, PeekReason.NAME_LABEL_EMPTY),
            Arguments.of("label of 64 bytes",
                withExtensions(sniExtension(0, "a".repeat(64) + ".example")), PeekStatus.MALFORMED, PeekReason.NAME_LABEL_TOO_LONG),
            Arguments.of("name of 256 bytes",
                withExtensions(sniExtension(0, String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(64)))),
                PeekStatus.MALFORMED, PeekReason.NAME_TOO_LONG),
            Arguments.of("name of 254 bytes: over the config's 253 (issue 12.10)",
                withExtensions(sniExtension(0, String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62)))),
                PeekStatus.MALFORMED, PeekReason.NAME_TOO_LONG),
            Arguments.of("name of 255 bytes, labels all legal",
                withExtensions(sniExtension(0, String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63)))),
                PeekStatus.MALFORMED, PeekReason.NAME_TOO_LONG),
            Arguments.of("an extension type above 63 sent twice (issue 12.10)",
                withExtensions(sniExtension(0, "a.example"), extension(0x3374, new byte[0]), extension(0x3374, new byte[0])),
                PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_DUPLICATE),
            Arguments.of("GREASE 0x0a0a twice, apart",
                withExtensions(extension(0x0a0a, new byte[0]), sniExtension(0, "a.example"), extension(0x0a0a, u8(0))),
                PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_DUPLICATE),
            Arguments.of("type 63 twice (the first type past the 63-bit word)",
                withExtensions(extension(63, new byte[0]), sniExtension(0, "a.example"), extension(63, new byte[0])),
                PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_DUPLICATE),
            Arguments.of("type 65535 twice",
                withExtensions(extension(0xffff, new byte[0]), extension(0xffff, new byte[0]), sniExtension(0, "a.example")),
                PeekStatus.MALFORMED, PeekReason.TLS_EXTENSION_DUPLICATE),
            Arguments.of("two GREASE values and many high types, none twice",
                withExtensions(extension(0x0a0a, new byte[0]), extension(0x3374, new byte[0]), extension(0xff01, u8(0)),
                    extension(0x4469, new byte[0]), sniExtension(0, "a.example"), extension(0xfafa, u8(0))),
                PeekStatus.OK, null));
    }

    private static byte[] withExtensionsRaw(final byte[] extensionBytes)
    {
        final byte[] body = cat(u16(0x0303), new byte[32], u8(0), u16(2), u16(0x1301), u8(1), u8(0), u16(extensionBytes.length), extensionBytes);
        return HandBuiltHello.record(cat(u8(1), u24(body.length), body));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handBuilt")
    void shouldAnswerEachHandBuiltCase(final String description, final byte[] bytes, final PeekStatus status, final String reason)
    {
        final Flight flight = Flight.peek(bytes);

        assertEquals(status, flight.status(), description + ": " + flight.reason());
        assertEquals(reason, flight.reason(), description);
    }

    static Stream<Arguments> names()
    {
        return Stream.of(
            Arguments.of("WWW.Example.COM.", "www.example.com", false),
            Arguments.of("under_score-and-dash.example", "under_score-and-dash.example", false),
            Arguments.of("127.0.0.1", "127.0.0.1", true),
            Arguments.of("1.2.3", "1.2.3", false),
            Arguments.of("256.1.1.1", "256.1.1.1", false),
            Arguments.of("x", "x", false),
            Arguments.of(String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)),
                String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)), false),
            Arguments.of(String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)) + ".",
                String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void shouldNormaliseTheName(final String sent, final String expected, final boolean ipLiteral)
    {
        final FirstFlightParser parser = new FirstFlightParser();
        final byte[] bytes = new ClientHelloBuilder().serverName(sent).build();

        assertEquals(PeekStatus.OK, parser.parse(new UnsafeBuffer(bytes), 0, bytes.length));
        assertEquals(expected, parser.name().getStringWithoutLengthAscii(0, parser.nameLength()));
        assertEquals(ipLiteral, parser.nameIsIpLiteral());
    }

    @Test
    void shouldKeepEveryAlpnIdHoweverManyInTheirOrderInOneRecordOrMany()
    {
        final String[] offer = new String[300];
        for (int i = 0; i < offer.length; i++)
        {
            offer[i] = "p" + i;
        }
        for (final int maxRecordBytes : new int[] {16_384, 100})
        {
            final byte[] hello = new ClientHelloBuilder().serverName("a.example").alpn(offer).maxRecordBytes(maxRecordBytes).build();
            final Flight flight = Flight.peek(hello);

            assertEquals(PeekStatus.OK, flight.status(), flight.reason());
            assertEquals(List.of(offer), flight.alpn(), "record size " + maxRecordBytes);
            final FirstFlightParser parser = new FirstFlightParser();
            assertEquals(PeekStatus.OK, parser.parse(new UnsafeBuffer(hello), 0, hello.length));
            assertEquals("p299", parser.alpnBuffer().getStringWithoutLengthAscii(parser.alpnOffset(299), parser.alpnLength(299)));
            assertEquals("p7", parser.alpnBuffer().getStringWithoutLengthAscii(parser.alpnOffset(7), parser.alpnLength(7)));
            assertEquals(3, parser.alpnLength(10));
        }
    }

    @Test
    void shouldReportEchAndRouteOnTheOuterName()
    {
        final Flight flight = Flight.peek(new ClientHelloBuilder().serverName("public.example").encryptedClientHello(true).build());

        assertEquals(PeekStatus.OK, flight.status());
        assertEquals("public.example", flight.name());
        assertTrue(flight.ech());
    }

    @Test
    void shouldReadAPostQuantumSizedHelloSplitOverRecords()
    {
        final byte[] hello = new ClientHelloBuilder().serverName("pq.example").alpn("h2").postQuantumKeyShare(true)
            .padToBytes(1800).records(16).build();
        final Flight flight = Flight.peek(hello);

        assertEquals(1800 + 15 * 5, hello.length);
        assertEquals(PeekStatus.OK, flight.status());
        assertEquals("pq.example", flight.name());
        assertEquals(List.of("h2"), flight.alpn());
    }

    @Test
    void shouldBeTooLargeWhenTheHelloCannotFitInMaxBytes()
    {
        final byte[] hello = new ClientHelloBuilder().serverName("pq.example").postQuantumKeyShare(true).build();
        final FirstFlightParser parser = new FirstFlightParser(1024, true, true);

        assertEquals(PeekStatus.TOO_LARGE, parser.parse(new UnsafeBuffer(hello), 0, 5));
        assertEquals(PeekReason.TLS_RECORD_TOO_LARGE, parser.reason());
    }

    @Test
    void shouldBeTooLargeWhenMaxBytesArriveWithoutADecision()
    {
        final byte[] manyRecords = new ClientHelloBuilder().serverName("a.example").maxRecordBytes(1).build();
        final FirstFlightParser parser = new FirstFlightParser(600, true, true);

        assertEquals(PeekStatus.TOO_LARGE, parser.parse(new UnsafeBuffer(manyRecords), 0, manyRecords.length));
        assertEquals(PeekReason.FLIGHT_TOO_LARGE, parser.reason());
    }

    @Test
    void shouldRefuseTlsWhenTheListenerAcceptsOnlyHttp()
    {
        final byte[] hello = HandBuiltHello.hello("a.example");
        final FirstFlightParser parser = new FirstFlightParser(FirstFlightParser.DEFAULT_MAX_BYTES, false, true);

        assertEquals(PeekStatus.NOT_RECOGNISED, parser.parse(new UnsafeBuffer(hello), 0, hello.length));
        assertEquals(null, parser.protocol());
    }

    @Test
    void shouldKeepItsAnswerUntilResetAndThenParseAfresh()
    {
        final FirstFlightParser parser = new FirstFlightParser();
        final byte[] first = HandBuiltHello.hello("first.example");
        final byte[] second = HandBuiltHello.hello("second.example");

        assertEquals(PeekStatus.OK, parser.parse(new UnsafeBuffer(first), 0, first.length));
        assertEquals(PeekStatus.OK, parser.parse(new UnsafeBuffer(second), 0, second.length));
        assertEquals("first.example", parser.name().getStringWithoutLengthAscii(0, parser.nameLength()));
        parser.reset();
        assertEquals(PeekStatus.OK, parser.parse(new UnsafeBuffer(second), 0, second.length));
        assertEquals("second.example", parser.name().getStringWithoutLengthAscii(0, parser.nameLength()));
    }

    @Test
    void shouldAnswerMalformedRatherThanThrowOnBadArguments()
    {
        final FirstFlightParser parser = new FirstFlightParser();

        assertEquals(PeekStatus.MALFORMED, parser.parse(new UnsafeBuffer(new byte[4]), 2, 3));
        assertEquals(PeekStatus.MALFORMED, parser.parse(null, 0, 0));
        assertFalse(parser.sslv2Hello());
    }

    @Test
    void shouldMarkAnSslv2Hello()
    {
        final FirstFlightParser parser = new FirstFlightParser();
        final byte[] v2 = cat(u8(0x80), u8(0x2e), u8(1), u16(0x0301), u16(0x15), u16(0), u16(0x10), new byte[0x25]);

        assertEquals(PeekStatus.NO_NAME, parser.parse(new UnsafeBuffer(v2), 0, v2.length));
        assertTrue(parser.sslv2Hello());
        assertEquals(PeekProtocol.TLS, parser.protocol());
        assertEquals(FirstFlightParser.TLS_1_0, parser.tlsVersions());
    }
}
