package io.gatehouse.loadgen;

/** A monotonic nanosecond clock; tests inject one they move by hand. Thread-safe. */
@FunctionalInterface
public interface NanoClock
{
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
