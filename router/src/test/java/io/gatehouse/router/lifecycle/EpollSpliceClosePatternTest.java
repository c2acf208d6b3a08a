package io.gatehouse.router.lifecycle;

/** The close-pattern contract on {@code transport: epoll}, {@code relay: splice}. */
class EpollSpliceClosePatternTest extends ClosePatternContract
{
    @Override
    String transport()
    {
        return "epoll";
    }

    @Override
    String relay()
    {
        return "splice";
    }
}
