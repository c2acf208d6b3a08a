package io.gatehouse.sni;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.sni.HandBuiltHello.cat;
import static io.gatehouse.sni.HandBuiltHello.u8;
import static io.gatehouse.sni.Hpack.frame;
import static io.gatehouse.sni.Hpack.h2c;
import static io.gatehouse.sni.Hpack.headers;
import static io.gatehouse.sni.Hpack.incremental;
import static io.gatehouse.sni.Hpack.indexed;
import static io.gatehouse.sni.Hpack.literal;
import static io.gatehouse.sni.Hpack.request;
import static io.gatehouse.sni.Hpack.sizeUpdate;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class H2cPrefaceParserTest
{
    private static final byte[] WINDOW_UPDATE = frame(8, 0, 0, new byte[] {0, 0x0f, 0, 1});

    static Stream<Arguments> flights()
    {
        final byte[] block = request(incremental(1, "a.example", true));
        return Stream.of(
            Arguments.of("RFC 7541 C.4.1 (Huffman :authority, literal with indexing)",
                h2c(headers(Flight.fromHex("828684418cf1e3c2e5f23a6ba0ab90f4ff"))), PeekStatus.OK, "www.example.com"),
            Arguments.of("RFC 7541 C.3.1 (plain :authority)",
                h2c(headers(Flight.fromHex("828684410f7777772e6578616d706c652e636f6d"))), PeekStatus.OK, "www.example.com"),
            Arguments.of(":authority with a port, upper case",
                h2c(headers(request(incremental(1, "A.Example:8443", false)))), PeekStatus.OK, "a.example"),
            Arguments.of(":authority never indexed, Huffman",
                h2c(headers(request(literal(0x10, 1, "n.example", true)))), PeekStatus.OK, "n.example"),
            Arguments.of(":authority without indexing, literal Huffman name",
                h2c(headers(request(literal(0x00, ":authority", "l.example", true)))), PeekStatus.OK, "l.example"),
            Arguments.of(":authority as a new name with indexing, plain",
                h2c(headers(request(incremental(":authority", "i.example", false)))), PeekStatus.OK, "i.example"),
            Arguments.of("host only (fallback)",
                h2c(headers(cat(indexed(2), literal(0, 38, "h.example:80", true)))), PeekStatus.OK, "h.example"),
            Arguments.of("host equal to :authority",
                h2c(headers(cat(request(incremental(1, "a.example", true)), literal(0, "host", "a.example", false)))),
                PeekStatus.OK, "a.example"),
            Arguments.of("dynamic table entries referenced within the block",
                h2c(headers(cat(incremental("x-a", "1", false), incremental("x-b", "2", true), indexed(63), indexed(62),
                    incremental(1, "d.example", true)))),
                PeekStatus.OK, "d.example"),
            Arguments.of("size update to 0 first, then inserts that do not stay",
                h2c(headers(cat(sizeUpdate(0), incremental(1, "z.example", false)))), PeekStatus.OK, "z.example"),
            Arguments.of("eviction: a 4096-byte table keeps only the newest entries",
                h2c(headers(cat(sizeUpdate(100), incremental("x-a", "v".repeat(40), false), incremental("x-b", "w".repeat(40), false),
                    indexed(62), incremental(1, "e.example", false)))),
                PeekStatus.OK, "e.example"),
            Arguments.of("WINDOW_UPDATE, PING and an unknown frame are skipped",
                h2c(WINDOW_UPDATE, frame(6, 0, 0, new byte[8]), frame(0xfa, 0, 0, new byte[3]), headers(block)),
                PeekStatus.OK, "a.example"),
            Arguments.of("PADDED and PRIORITY flags",
                h2c(frame(1, 0x4 | 0x8 | 0x20, 1, cat(u8(3), new byte[] {0, 0, 0, 0, 16}, block, new byte[3]))),
                PeekStatus.OK, "a.example"),
            Arguments.of("CONTINUATION frames",
                h2c(frame(1, 0x1, 1, java.util.Arrays.copyOfRange(block, 0, 3)),
                    frame(9, 0, 1, java.util.Arrays.copyOfRange(block, 3, 7)),
                    frame(9, 0x4, 1, java.util.Arrays.copyOfRange(block, 7, block.length))),
                PeekStatus.OK, "a.example"),
            Arguments.of("no :authority and no host", h2c(headers(cat(indexed(2), indexed(4)))), PeekStatus.NO_NAME, null),
            Arguments.of("GOAWAY first", h2c(frame(7, 0, 0, new byte[8])), PeekStatus.NO_NAME, null),
            Arguments.of("the indexed static :authority has an empty value",
                h2c(headers(cat(indexed(2), indexed(1)))), PeekStatus.MALFORMED, null),
            Arguments.of(":authority twice", h2c(headers(cat(block, incremental(1, "b.example", false)))), PeekStatus.MALFORMED, null),
            Arguments.of("host differs from :authority",
                h2c(headers(cat(block, literal(0, 38, "b.example", false)))), PeekStatus.MALFORMED, null),
            Arguments.of("a second host differs from :authority and the first host (issue 12.9)",
                h2c(headers(cat(block, literal(0, 38, "a.example", false), literal(0, 38, "secret.example", true)))),
                PeekStatus.MALFORMED, null),
            Arguments.of("without :authority, a second host differs from the first",
                h2c(headers(cat(indexed(2), literal(0, 38, "a.example", true), literal(0, "host", "secret.example", false)))),
                PeekStatus.MALFORMED, null),
            Arguments.of("a second host from the dynamic table differs",
                h2c(headers(cat(incremental(38, "secret.example", false), block, literal(0, 38, "a.example", false)))),
                PeekStatus.MALFORMED, null),
            Arguments.of("three hosts equal to :authority, Huffman or not, any case",
                h2c(headers(cat(block, literal(0, 38, "a.example", true), literal(0, 38, "A.Example", false),
                    literal(0x10, "host", "a.EXAMPLE", true)))),
                PeekStatus.OK, "a.example"),
            Arguments.of("index past the dynamic table", h2c(headers(cat(indexed(62), block))), PeekStatus.MALFORMED, null),
            Arguments.of("evicted entry referenced",
                h2c(headers(cat(sizeUpdate(40), incremental("x-a", "1", false), incremental("x-b", "2", false), indexed(63), block))),
                PeekStatus.MALFORMED, null),
            Arguments.of("index 0", h2c(headers(cat(indexed(0), block))), PeekStatus.MALFORMED, null),
            Arguments.of("size update over 4096", h2c(headers(cat(sizeUpdate(4097), block))), PeekStatus.MALFORMED, null),
            Arguments.of("size update after a field", h2c(headers(cat(indexed(2), sizeUpdate(0), block))), PeekStatus.MALFORMED, null),
            Arguments.of("string runs past the block",
                h2c(headers(cat(indexed(2), u8(0x41), u8(0x20), Flight.ascii("short")))), PeekStatus.MALFORMED, null),
            Arguments.of("integer that never ends", h2c(headers(cat(indexed(2), Flight.fromHex("7fffffffffffff")))), PeekStatus.MALFORMED, null),
            Arguments.of("Huffman padding of zeros",
                h2c(headers(cat(indexed(2), u8(0x41), u8(0x82), u8(0x1c), u8(0x00)))), PeekStatus.MALFORMED, null),
            Arguments.of("Huffman EOS inside a string",
                h2c(headers(cat(indexed(2), u8(0x41), u8(0x84), Flight.fromHex("ffffffff")))), PeekStatus.MALFORMED, null),
            Arguments.of("bad character in :authority", h2c(headers(request(incremental(1, "a b", false)))), PeekStatus.MALFORMED, null),
            Arguments.of("first frame is not SETTINGS", cat(H2Descriptor.PREFACE, headers(block)), PeekStatus.MALFORMED, null),
            Arguments.of("SETTINGS ACK first", cat(H2Descriptor.PREFACE, frame(4, 1, 0, new byte[0]), headers(block)),
                PeekStatus.MALFORMED, null),
            Arguments.of("DATA before HEADERS", h2c(frame(0, 0, 1, new byte[4]), headers(block)), PeekStatus.MALFORMED, null),
            Arguments.of("HEADERS on stream 0", h2c(frame(1, 0x5, 0, block)), PeekStatus.MALFORMED, null),
            Arguments.of("HEADERS on an even stream", h2c(frame(1, 0x5, 2, block)), PeekStatus.MALFORMED, null),
            Arguments.of("padding longer than the frame", h2c(frame(1, 0x4 | 0x8, 1, cat(u8(200), block))), PeekStatus.MALFORMED, null),
            Arguments.of("another frame between HEADERS and CONTINUATION",
                h2c(frame(1, 0x1, 1, java.util.Arrays.copyOfRange(block, 0, 3)), WINDOW_UPDATE,
                    frame(9, 0x4, 1, java.util.Arrays.copyOfRange(block, 3, block.length))),
                PeekStatus.MALFORMED, null),
            Arguments.of("CONTINUATION without HEADERS", h2c(frame(9, 0x4, 1, block)), PeekStatus.MALFORMED, null),
            Arguments.of("frame over 16384 bytes", h2c(frame(8, 0, 0, new byte[16385])), PeekStatus.MALFORMED, null),
            Arguments.of("preface typo", Flight.ascii("PRI * HTTP/2.0\r\n\r\nSN\r\n\r\n"), PeekStatus.MALFORMED, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flights")
    void shouldAnswerEachH2cFlight(final String description, final byte[] bytes, final PeekStatus status, final String name)
    {
        final Flight flight = Flight.peek(bytes);

        assertEquals(status, flight.status(), description + ": " + flight.reason());
        assertEquals(name, flight.name(), description);
        if (status != PeekStatus.NOT_RECOGNISED)
        {
            assertEquals(PeekProtocol.H2C, flight.protocol(), description);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flights")
    void shouldAnswerTheSameWhenFedOneByteAtATime(final String description, final byte[] bytes, final PeekStatus status)
    {
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
    void shouldBeTooLargeWhenAFrameCannotFitInMaxBytes()
    {
        final byte[] bytes = h2c(frame(8, 0, 0, new byte[2000]));
        final FirstFlightParser parser = new FirstFlightParser(1024, true, true);

        assertEquals(PeekStatus.TOO_LARGE, parser.parse(new UnsafeBuffer(bytes), 0, bytes.length));
        assertEquals(PeekReason.H2C_FRAME_TOO_LARGE, parser.reason());
    }
}
