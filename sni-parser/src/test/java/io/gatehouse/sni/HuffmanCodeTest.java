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

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HuffmanCodeTest
{
    /** Codes as RFC 7541 Appendix B prints them (symbol, code, bits). */
    static Stream<Arguments> appendixB()
    {
        return Stream.of(
            Arguments.of(0, 0x1ff8, 13), Arguments.of(1, 0x7fffd8, 23), Arguments.of(10, 0x3ffffffc, 30),
            Arguments.of('0', 0x0, 5), Arguments.of('.', 0x17, 6), Arguments.of(':', 0x5c, 7), Arguments.of('a', 0x3, 5),
            Arguments.of('z', 0x7b, 7), Arguments.of('\\', 0x7fff0, 19), Arguments.of(127, 0xffffffc, 28),
            Arguments.of(128, 0xfffe6, 20), Arguments.of(195, 0x7fff1, 19), Arguments.of(255, 0x3ffffee, 26),
            Arguments.of(HuffmanCode.EOS, 0x3fffffff, 30));
    }

    @ParameterizedTest(name = "symbol {0}")
    @MethodSource("appendixB")
    void shouldDeriveTheRfcCodesFromTheCodeLengths(final int symbol, final int code, final int bits)
    {
        assertEquals(code, HuffmanCode.code(symbol));
        assertEquals(bits, HuffmanCode.codeLength(symbol));
    }

    /** RFC 7541 C.4 and C.6 Huffman-encoded strings. */
    static Stream<Arguments> examples()
    {
        return Stream.of(
            Arguments.of("f1e3c2e5f23a6ba0ab90f4ff", "www.example.com"),
            Arguments.of("a8eb10649cbf", "no-cache"),
            Arguments.of("25a849e95ba97d7f", "custom-key"),
            Arguments.of("25a849e95bb8e8b4bf", "custom-value"),
            Arguments.of("6402", "302"),
            Arguments.of("aec3771a4b", "private"),
            Arguments.of("d07abe941054d444a8200595040b8166e082a62d1bff", "Mon, 21 Oct 2013 20:13:21 GMT"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("examples")
    void shouldDecodeTheRfcExamples(final String hex, final String text)
    {
        final byte[] encoded = Flight.fromHex(hex);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);

        final int length = HuffmanCode.decode(new UnsafeBuffer(encoded), 0, encoded.length, out, 0, 64);

        assertEquals(text, out.getStringWithoutLengthAscii(0, length));
    }

    @Test
    void shouldRoundTripEverySymbol()
    {
        final StringBuilder all = new StringBuilder();
        for (int symbol = 0; symbol < 256; symbol++)
        {
            all.append((char)symbol);
        }
        final byte[] encoded = Hpack.huffman(all.toString());
        final UnsafeBuffer out = new UnsafeBuffer(new byte[256]);

        assertEquals(256, HuffmanCode.decode(new UnsafeBuffer(encoded), 0, encoded.length, out, 0, 256));
        for (int symbol = 0; symbol < 256; symbol++)
        {
            assertEquals((byte)symbol, out.getByte(symbol));
        }
    }

    @Test
    void shouldRejectPaddingLongerThanSevenBitsAndOverflow()
    {
        final byte[] paddedByAByte = Flight.concat(Hpack.huffman("a"), new byte[] {(byte)0xff});
        final byte[] www = Flight.fromHex("f1e3c2e5f23a6ba0ab90f4ff");

        assertEquals(HuffmanCode.INVALID, HuffmanCode.decode(new UnsafeBuffer(paddedByAByte), 0, paddedByAByte.length, null, 0, 0));
        assertEquals(HuffmanCode.OVERFLOW, HuffmanCode.decode(new UnsafeBuffer(www), 0, www.length, new UnsafeBuffer(new byte[4]), 0, 4));
        assertEquals(15, HuffmanCode.decode(new UnsafeBuffer(www), 0, www.length, null, 0, 0));
    }
}
