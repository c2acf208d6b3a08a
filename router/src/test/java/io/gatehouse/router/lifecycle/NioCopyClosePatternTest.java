package io.gatehouse.router.lifecycle;

/** The close-pattern contract on {@code transport: nio}, {@code relay: copy}. */
class NioCopyClosePatternTest extends ClosePatternContract
{
    @Override
    String transport()
    {
        return "nio";
    }

    @Override
    String relay()
    {
        return "copy";
    }
}
