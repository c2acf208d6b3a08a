package io.gatehouse.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ClientHello the load generator sends: sizes, record layout, the name inside. */
@Timeout(10)
class ClientHelloTemplateTest
{
    /** Reassembles the handshake message from its records, checking every record header. */
    private static byte[] handshake(final byte[] wire)
    {
        final ByteBuffer in = ByteBuffer.wrap(wire);
        final ByteBuffer out = ByteBuffer.allocate(wire.length);
        while (in.hasRemaining())
        {
            assertEquals(22, in.get(), "content type handshake");
            assertEquals(0x0301, in.getShort() & 0xFFFF, "legacy record version");
            final int length = in.getShort() & 0xFFFF;
            assertTrue(length <= ClientHelloTemplate.MAX_RECORD_PAYLOAD && length > 0);
            final byte[] fragment = new byte[length];
            in.get(fragment);
            out.put(fragment);
        }
        final byte[] message = new byte[out.position()];
        out.flip().get(message);
        assertEquals(1, message[0], "client_hello");
        final int bodyLength = ((message[1] & 0xFF) << 16) | ((message[2] & 0xFF) << 8) | (message[3] & 0xFF);
        assertEquals(message.length - 4, bodyLength);
        return message;
    }

    /** The server_name from the extensions, or null. */
    private static String serverName(final byte[] message)
    {
        final ByteBuffer in = ByteBuffer.wrap(message, 4, message.length - 4);
        in.position(in.position() + 2 + 32);
        in.position(in.position() + 1 + (in.get(in.position()) & 0xFF));
        in.position(in.position() + 2 + (in.getShort(in.position()) & 0xFFFF));
        in.position(in.position() + 1 + (in.get(in.position()) & 0xFF));
        final int end = in.position() + 2 + (in.getShort() & 0xFFFF);
        assertEquals(message.length, end, "extensions end the message");
        while (in.position() < end)
        {
            final int type = in.getShort() & 0xFFFF;
            final int length = in.getShort() & 0xFFFF;
            if (type == 0)
            {
                in.getShort();
                assertEquals(0, in.get());
                final byte[] name = new byte[in.getShort() & 0xFFFF];
                in.get(name);
                return new String(name, StandardCharsets.US_ASCII);
            }
            in.position(in.position() + length);
        }
        return null;
    }

    @Test
    void shouldCarryTheServerNameAtItsNaturalSize()
    {
        final byte[] wire = ClientHelloTemplate.build("a.example.test", 0, 1);
        assertEquals("a.example.test", serverName(handshake(wire)));
        assertTrue(wire.length > 150 && wire.length < 600, "natural size " + wire.length);
    }

    @Test
    void shouldOmitTheServerNameWhenNoneIsGiven()
    {
        assertEquals(null, serverName(handshake(ClientHelloTemplate.build(null, 0, 1))));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1_800, 20_000})
    void shouldBeReadByTheRoutersOwnParser(final int size)
    {
        final byte[] wire = ClientHelloTemplate.build("Parsed.Example.Test", size, 5);
        final io.gatehouse.sni.FirstFlightParser parser = new io.gatehouse.sni.FirstFlightParser(64 * 1024, true, true);
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(wire);
        assertEquals(io.gatehouse.sni.PeekStatus.OK, parser.parse(buffer, 0, wire.length));
        assertEquals("parsed.example.test", parser.name().getStringWithoutLengthAscii(0, parser.nameLength()));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1_500, 1_800, 4_096, 16_389, 16_395, 16_396, 20_000, 60_000})
    void shouldPadToExactlyTheRequestedSizeSplittingRecordsAbove16KiB(final int size)
    {
        final byte[] wire = ClientHelloTemplate.build("b.example.test", size, 7);
        assertEquals(size, wire.length);
        assertEquals("b.example.test", serverName(handshake(wire)));
    }

    @Test
    void shouldRoundUpSizesThatNeedHalfARecordHeader()
    {
        assertEquals(16_395, ClientHelloTemplate.build("b.example.test", 16_390, 7).length);
    }

    @Test
    void shouldAddAPostQuantumKeyShareOnlyWhenItFits()
    {
        final int classic = ClientHelloTemplate.build("d", 0, 1).length;
        final byte[] pq = ClientHelloTemplate.build("d", 1_500, 1);
        assertEquals(1_500, pq.length);
        assertTrue(contains(pq, new byte[] {0x11, (byte)0xec, 0x04, (byte)0xc0}), "X25519MLKEM768 share of 1216 bytes");
        assertTrue(!contains(ClientHelloTemplate.build("d", classic + 500, 1), new byte[] {0x11, (byte)0xec, 0x04, (byte)0xc0}));
    }

    private static boolean contains(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; haystack.length - i >= needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void shouldBeReproducibleForOneSeed()
    {
        assertEquals(ByteBuffer.wrap(ClientHelloTemplate.build("c", 1_800, 3)), ByteBuffer.wrap(ClientHelloTemplate.build("c", 1_800, 3)));
    }
}
