package io.gatehouse.router.admin;

/**
 * How one reload went.
 *
 * @param result     what happened.
 * @param message    one line: the summary of the applied config, or the config error
 *                   ({@code FILE:LINE:COLUMN: ...}), or why applying failed.
 * @param generation the config generation serving after this reload (1 = the config started with).
 */
public record ReloadOutcome(Result result, String message, long generation)
{
    /** The outcome of one reload. */
    public enum Result
    {
        /** Validated and applied: the new config serves. */
        APPLIED,
        /** The file holds the config already serving: nothing was applied, the generation stays. */
        UNCHANGED,
        /** The file was invalid; the old config serves. */
        INVALID,
        /** Valid, but the target refused or failed to apply it; the old config serves. */
        FAILED
    }

    public boolean applied()
    {
        return result == Result.APPLIED;
    }

    /** Whether the file's config is the one serving after this reload (applied now, or already). */
    public boolean serving()
    {
        return result == Result.APPLIED || result == Result.UNCHANGED;
    }
}
