package io.gatehouse.loadgen;

/**
 * One unit of concurrency of an open loop: a persistent connection ({@code rr}) or the right to
 * have one more connection in flight ({@code connect}, {@code tls}). Called on its event loop only.
 */
interface Slot
{
    /**
     * Starts one transaction. It must end with exactly one call to
     * {@link OpenLoopDispatcher#onComplete} or {@link OpenLoopDispatcher#onFailed}, possibly from
     * inside this call.
     *
     * @param intendedNs when the schedule meant it to start.
     * @param nowNs      now (the actual start).
     */
    void begin(long intendedNs, long nowNs);

    /** Fails the transaction in flight with {@link ErrorKind#TIMEOUT} when its deadline passed. */
    void checkDeadline(long nowNs);

    /** Closes whatever the slot holds; no transaction may start afterwards. */
    void close();
}
