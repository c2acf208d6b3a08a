/**
 * Event-loop plumbing, the bottom of the data path: the chosen {@link io.gatehouse.router.loop.Transport}
 * and one {@link io.gatehouse.router.loop.Worker} per event loop (its counters, its per-loop PROXY codec,
 * its access-log handle, its timer and the {@link io.gatehouse.router.loop.ConnectionList} of
 * {@link io.gatehouse.router.loop.TimedConnection}s it owns, which its tick times out and drain closes).
 * Uses only config, metrics, log and proxy; every data-path package above may use it, never the reverse.
 */
package io.gatehouse.router.loop;
