package io.gatehouse.loadgen;

/** Which way a {@code stream} run moves bytes, and the backend mode it needs. */
public enum StreamDirection
{
    /** Client to backend: use a {@code sink} backend. */
    UP,
    /** Backend to client: use a {@code source} backend. */
    DOWN,
    /** Both ways at once: use an {@code echo} backend. */
    BOTH,
    /** Neither: hold the connections open and idle (memory per idle connection); any backend. */
    NONE
}
