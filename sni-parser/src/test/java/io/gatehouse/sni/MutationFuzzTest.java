package io.gatehouse.sni;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.time.Duration;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutation fuzzing: valid flights of every kind (captured fixtures, built hellos, HTTP/1.x and
 * h2c) mutated by bit flips, byte and length-field nudges, truncation, insertion, deletion,
 * duplication and splicing. Every input must be answered without an exception; a sample is also fed
 * in random chunks to a second parser, which must give the same answer (the parser is prefix-stable).
 * Each input (and each chunk) is wrapped to exactly its length, so a read past the bytes handed in
 * would fail Agrona's bounds check.
 * Run longer with {@code -Dfuzz.inputs=N -Dfuzz.seed=S}.
 */
class MutationFuzzTest
{
    private static final int INPUTS = Integer.getInteger("fuzz.inputs", 1_000_000);
    private static final long SEED = Long.getLong("fuzz.seed", 20261126L);
    private static final int MAX_INPUT_BYTES = 8192;
    private static final byte[] INTERESTING = {0, 1, 2, 3, 4, 5, 0x16, 0x20, 0x3a, 0x40, 0x7f, (byte)0x80, (byte)0xff, '\r', '\n', '.'};

    @Test
    void shouldAnswerEveryMutatedInputWithoutThrowingAndTheSameInChunks()
    {
        assertTimeoutPreemptively(Duration.ofSeconds(100 + INPUTS / 20_000), this::fuzz);
    }

    private void fuzz()
    {
        final List<byte[]> seeds = Seeds.all();
        final SplittableRandom random = new SplittableRandom(SEED);
        final byte[] input = new byte[MAX_INPUT_BYTES];
        final UnsafeBuffer buffer = new UnsafeBuffer(input);
        final UnsafeBuffer prefix = new UnsafeBuffer(input);
        final FirstFlightParser whole = new FirstFlightParser();
        final FirstFlightParser chunked = new FirstFlightParser();
        final FirstFlightParser small = new FirstFlightParser(700, true, true);
        final Map<PeekStatus, Long> outcomes = new EnumMap<>(PeekStatus.class);
        long bytes = 0;

        final long startNs = System.nanoTime();
        for (int i = 0; i < INPUTS; i++)
        {
            final int length = mutate(seeds, random, input);
            bytes += length;
            whole.reset();
            buffer.wrap(input, 0, length);
            final PeekStatus status = whole.parse(buffer, 0, length);
            outcomes.merge(status, 1L, Long::sum);
            checkInvariants(whole, status, input, length, i);

            if ((i & 15) == 0)
            {
                chunked.reset();
                PeekStatus answer = PeekStatus.NEED_MORE_DATA;
                int fed = 0;
                while (answer == PeekStatus.NEED_MORE_DATA && fed < length)
                {
                    fed = Math.min(length, fed + 1 + random.nextInt(random.nextBoolean() ? 4 : 300));
                    prefix.wrap(input, 0, fed);
                    answer = chunked.parse(prefix, 0, fed);
                }
                assertEquals(status, answer, () -> "chunked answer differs for input " + hex(input, length));
                assertEquals(whole.nameLength(), chunked.nameLength());
                assertEquals(whole.reason(), chunked.reason());
                small.reset();
                final PeekStatus smallStatus = small.parse(buffer, 0, length);
                assertNotNull(smallStatus);
            }
        }
        final long elapsedNs = System.nanoTime() - startNs;

        System.out.printf("fuzz: %,d inputs (%,d bytes) in %.2f s = %,.0f inputs/s; seed %d; outcomes %s%n",
            INPUTS, bytes, elapsedNs / 1e9, INPUTS / (elapsedNs / 1e9), SEED, outcomes);
        assertTrue(outcomes.getOrDefault(PeekStatus.OK, 0L) > 0);
        assertTrue(outcomes.getOrDefault(PeekStatus.MALFORMED, 0L) > 0);
    }

    private static void checkInvariants(
        final FirstFlightParser parser, final PeekStatus status, final byte[] input, final int length, final int i)
    {
        if (status == PeekStatus.OK)
        {
            assertNotNull(parser.protocol());
            final int nameLength = parser.nameLength();
            assertTrue(nameLength >= 1 && nameLength <= 253, () -> "name length for " + hex(input, length));
            for (int j = 0; j < nameLength; j++)
            {
                final byte c = parser.name().getByte(j);
                final boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                    (c == ':' && parser.nameIsIpLiteral());
                assertTrue(allowed, () -> "bad name byte for " + hex(input, length));
            }
        }
        else if (status != PeekStatus.NEED_MORE_DATA)
        {
            assertNotNull(parser.reason(), () -> status + " without a reason for " + hex(input, length));
        }
    }

    /** Writes a mutated seed into input; @return its length. */
    private static int mutate(final List<byte[]> seeds, final SplittableRandom random, final byte[] input)
    {
        final byte[] seed = seeds.get(random.nextInt(seeds.size()));
        int length = seed.length;
        System.arraycopy(seed, 0, input, 0, length);
        final int mutations = 1 + random.nextInt(random.nextInt(8) == 0 ? 8 : 2);
        for (int m = 0; m < mutations && length > 0; m++)
        {
            final int at = random.nextInt(length);
            switch (random.nextInt(9))
            {
                case 0:
                    input[at] ^= (byte)(1 << random.nextInt(8));
                    break;
                case 1:
                    input[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                    break;
                case 2:
                    input[at] += (byte)(random.nextBoolean() ? 1 : -1);
                    break;
                case 3:
                    input[at] = (byte)random.nextInt(256);
                    break;
                case 4:
                    length = at + 1;
                    break;
                case 5:
                {
                    final int count = Math.min(1 + random.nextInt(16), MAX_INPUT_BYTES - length);
                    System.arraycopy(input, at, input, at + count, length - at);
                    for (int k = 0; k < count; k++)
                    {
                        input[at + k] = (byte)random.nextInt(256);
                    }
                    length += count;
                    break;
                }
                case 6:
                {
                    final int count = Math.min(1 + random.nextInt(16), length - at);
                    System.arraycopy(input, at + count, input, at, length - at - count);
                    length -= count;
                    break;
                }
                case 7:
                {
                    final int count = Math.min(Math.min(1 + random.nextInt(64), length - at), MAX_INPUT_BYTES - length);
                    System.arraycopy(input, at, input, at + count, length - at);
                    length += count;
                    break;
                }
                default:
                {
                    final byte[] other = seeds.get(random.nextInt(seeds.size()));
                    final int from = random.nextInt(other.length);
                    final int count = Math.min(other.length - from, MAX_INPUT_BYTES - at);
                    System.arraycopy(other, from, input, at, count);
                    length = at + count;
                    break;
                }
            }
        }
        return length;
    }

    private static String hex(final byte[] input, final int length)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            text.append(String.format("%02x", input[i]));
        }
        return text.toString();
    }
}
