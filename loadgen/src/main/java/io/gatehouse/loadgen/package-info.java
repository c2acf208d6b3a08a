/**
 * The bundled open-loop load generator and the demo/benchmark backends it drives.
 *
 * <p><b>Backends</b> ({@link io.gatehouse.loadgen.Backend}, {@link io.gatehouse.loadgen.BackendSpec},
 * {@link io.gatehouse.loadgen.BackendMode}, {@link io.gatehouse.loadgen.SelfSignedIdentity}): started
 * by the caller's thread, served on their own event loops; every mode shows the backend's id so a
 * misrouted connection is seen.
 *
 * <p><b>Load</b>: {@link io.gatehouse.loadgen.LoadRun} (the calling thread reports each second) drives
 * one {@code LoopDriver} per event loop. A driver owns an
 * {@link io.gatehouse.loadgen.OpenLoopDispatcher} (Netty-free, tested on a hand-moved clock) and its
 * slots ({@code ConnectSlot}, {@code PersistentSlot}, {@code StreamSlot}), all confined to that loop;
 * per transaction they allocate only what Netty allocates for a channel or a write promise.
 * Latencies go to a {@link io.gatehouse.loadgen.LatencyRecorder} (HdrHistogram {@code Recorder}s,
 * wait-free from any loop) and failures to {@link io.gatehouse.loadgen.ErrorCounts}; the reporting
 * thread reads both. The command line ({@link io.gatehouse.loadgen.LoadgenCommand},
 * {@link io.gatehouse.loadgen.ServeCommand}) and {@link io.gatehouse.loadgen.Report} are control path
 * and allocate freely.
 */
package io.gatehouse.loadgen;
