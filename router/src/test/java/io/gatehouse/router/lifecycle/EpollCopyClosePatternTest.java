package io.gatehouse.router.lifecycle;

/** The close-pattern contract on {@code transport: epoll}, {@code relay: copy}. */
class EpollCopyClosePatternTest extends ClosePatternContract
{
    @Override
    String transport()
    {
        return "epoll";
    }

    @Override
    String relay()
    {
        return "copy";
    }
}
