/**
 * The order of a connection's stages: {@link io.gatehouse.router.sequence.Sequencer}, the one Netty handler
 * a client has until its relay starts, runs PROXY-in ({@code proxy.ProxyIn}), the peek ({@code peek}),
 * dispatch ({@code dispatch}), connect ({@code connect}) and the relay start ({@code relay}), each of which
 * returns a result and calls nothing after itself, owns the bytes between them, and writes each result to
 * the connection's {@code Session}. It also holds the peek's timers (deadline, server-first delay).
 * {@link io.gatehouse.router.sequence.LateScreen} carries the PROXY-signature screen past the relay start for
 * a client the server-first delay routed before it sent a byte. Event loop thread only; allocation: see
 * each class.
 */
package io.gatehouse.router.sequence;
