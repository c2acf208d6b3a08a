package io.gatehouse.router.admin;

/** A reload on demand ({@code POST /reload}); {@code trigger} says who asked, for the log. Never throws. */
@FunctionalInterface
public interface ReloadAction
{
    ReloadOutcome reload(String trigger);
}
