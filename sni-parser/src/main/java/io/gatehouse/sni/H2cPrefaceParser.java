package io.gatehouse.sni;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.gatehouse.sni.H2Descriptor.*;

/**
 * The h2c side of the peek (HTTP/2 with prior knowledge, RFC 9113 s3.3): the connection preface, a
 * first frame that must be SETTINGS, then frames skipped by their length (SETTINGS, WINDOW_UPDATE,
 * PRIORITY, PING, unknown types) up to the first HEADERS, whose field block (with its CONTINUATION
 * frames, padding and priority fields) goes to {@link HpackBlockDecoder}. DATA, RST_STREAM,
 * PUSH_PROMISE or a stray CONTINUATION before it is {@link PeekStatus#MALFORMED}; GOAWAY is
 * {@link PeekStatus#NO_NAME}.
 *
 * <p>Incremental and linear: {@link #frameOffset} remembers the next frame header; a frame is looked
 * at once, when complete. A block in one HEADERS frame is decoded in place; one continued over
 * CONTINUATION frames is copied, fragment by fragment, into the shared scratch buffer. One per
 * {@link FirstFlightParser}: single thread, no allocation.
 */
final class H2cPrefaceParser
{
    private final MutableDirectBuffer scratch;
    private final int maxBytes;
    private final PeekResult result;
    private final HpackBlockDecoder hpack;
    private int frameOffset;
    private int blockStreamId;
    private int blockBytes;

    H2cPrefaceParser(final int maxBytes, final MutableDirectBuffer scratch, final PeekResult result)
    {
        this.maxBytes = maxBytes;
        this.scratch = scratch;
        this.result = result;
        this.hpack = new HpackBlockDecoder(result);
        reset();
    }

    void reset()
    {
        frameOffset = PREFACE_BYTES;
        blockStreamId = 0;
        blockBytes = 0;
    }

    /** Called once the preface has matched; buffer[offset, offset+length) is the flight from its first byte. */
    PeekStatus parse(final DirectBuffer buffer, final int offset, final int length)
    {
        while (length - frameOffset >= FRAME_HEADER_BYTES)
        {
            final int header = offset + frameOffset;
            final int frameLength = ((buffer.getByte(header) & 0xff) << 16) |
                ((buffer.getByte(header + 1) & 0xff) << 8) | (buffer.getByte(header + 2) & 0xff);
            final int type = buffer.getByte(header + FRAME_TYPE_OFFSET) & 0xff;
            final int flags = buffer.getByte(header + FRAME_FLAGS_OFFSET) & 0xff;
            final int streamId = buffer.getInt(header + FRAME_STREAM_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) & 0x7fffffff;
            if (frameOffset == PREFACE_BYTES &&
                (type != TYPE_SETTINGS || streamId != 0 || (flags & FLAG_ACK) != 0 || frameLength % SETTING_BYTES != 0))
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_FIRST_FRAME);
            }
            if (frameLength > DEFAULT_MAX_FRAME_BYTES)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_FRAME_SIZE);
            }
            if (maxBytes - frameOffset - FRAME_HEADER_BYTES < frameLength)
            {
                return result.fail(PeekStatus.TOO_LARGE, PeekReason.H2C_FRAME_TOO_LARGE);
            }
            if (length - frameOffset - FRAME_HEADER_BYTES < frameLength)
            {
                return PeekStatus.NEED_MORE_DATA;
            }
            final int payload = header + FRAME_HEADER_BYTES;
            frameOffset += FRAME_HEADER_BYTES + frameLength;

            if (blockStreamId != 0)
            {
                if (type != TYPE_CONTINUATION || streamId != blockStreamId)
                {
                    return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_CONTINUATION);
                }
                scratch.putBytes(blockBytes, buffer, payload, frameLength);
                blockBytes += frameLength;
                if ((flags & FLAG_END_HEADERS) != 0)
                {
                    return hpack.decode(scratch, 0, blockBytes);
                }
                continue;
            }
            switch (type)
            {
                case TYPE_HEADERS:
                {
                    final PeekStatus status = onHeaders(buffer, payload, frameLength, flags, streamId);
                    if (status != PeekStatus.NEED_MORE_DATA)
                    {
                        return status;
                    }
                    break;
                }
                case TYPE_GOAWAY:
                    return result.fail(PeekStatus.NO_NAME, PeekReason.H2C_GOAWAY);
                case TYPE_DATA:
                case TYPE_RST_STREAM:
                case TYPE_PUSH_PROMISE:
                case TYPE_CONTINUATION:
                    return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_FRAME_UNEXPECTED);
                default:
                    break;
            }
        }
        return PeekStatus.NEED_MORE_DATA;
    }

    private PeekStatus onHeaders(
        final DirectBuffer buffer, final int payload, final int frameLength, final int flags, final int streamId)
    {
        if (streamId == 0 || (streamId & 1) == 0)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_STREAM_ID);
        }
        int fragment = payload;
        int fragmentLength = frameLength;
        if ((flags & FLAG_PADDED) != 0)
        {
            if (fragmentLength < 1)
            {
                return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_PADDING);
            }
            final int padLength = buffer.getByte(fragment) & 0xff;
            fragment++;
            fragmentLength -= 1 + padLength;
        }
        if ((flags & FLAG_PRIORITY) != 0)
        {
            fragment += PRIORITY_FIELD_BYTES;
            fragmentLength -= PRIORITY_FIELD_BYTES;
        }
        if (fragmentLength < 0)
        {
            return result.fail(PeekStatus.MALFORMED, PeekReason.H2C_PADDING);
        }
        if ((flags & FLAG_END_HEADERS) != 0)
        {
            return hpack.decode(buffer, fragment, fragmentLength);
        }
        blockStreamId = streamId;
        scratch.putBytes(0, buffer, fragment, fragmentLength);
        blockBytes = fragmentLength;
        return PeekStatus.NEED_MORE_DATA;
    }
}
