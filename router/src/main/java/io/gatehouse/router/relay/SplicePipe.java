package io.gatehouse.router.relay;

import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One kernel pipe: the buffer splice(2) moves pages through. Owned by one direction of one connection
 * while it holds bytes, otherwise idle in its event loop's {@link SplicePipePool}.
 */
final class SplicePipe
{
    private final FileDescriptor readEnd;
    private final FileDescriptor writeEnd;

    private SplicePipe(final FileDescriptor readEnd, final FileDescriptor writeEnd)
    {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
    }

    static SplicePipe open() throws IOException
    {
        final FileDescriptor[] ends = FileDescriptor.pipe();
        return new SplicePipe(ends[0], ends[1]);
    }

    int readFd()
    {
        return readEnd.intValue();
    }

    int writeFd()
    {
        return writeEnd.intValue();
    }

    /** Writes {@code length} bytes from the start of a direct buffer into this (empty) pipe. */
    int fill(final ByteBuffer bytes, final int length) throws IOException
    {
        return writeEnd.write(bytes, 0, length);
    }

    void close()
    {
        closeQuietly(readEnd);
        closeQuietly(writeEnd);
    }

    private static void closeQuietly(final FileDescriptor fd)
    {
        try
        {
            fd.close();
        }
        catch (final IOException ignore)
        {
            // close(2) failing leaves nothing to undo: the descriptor is gone either way.
        }
    }
}
