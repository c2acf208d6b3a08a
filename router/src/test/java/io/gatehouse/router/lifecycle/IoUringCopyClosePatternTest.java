package io.gatehouse.router.lifecycle;

/** The close-pattern contract on {@code transport: io_uring}, {@code relay: copy}. */
class IoUringCopyClosePatternTest extends ClosePatternContract
{
    @Override
    String transport()
    {
        return "io_uring";
    }

    @Override
    String relay()
    {
        return "copy";
    }
}
