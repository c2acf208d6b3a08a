/**
 * The order of a connection's stages: {@link io.gatehouse.router.sequence.Sequencer}, the one Netty handler
 * a client has until its relay starts, runs PROXY-in ({@code proxy.ProxyIn}), the peek ({@code peek}),
 * dispatch ({@code dispatch}), connect ({@code connect}) and the relay start ({@code relay}), each of which
 * returns a result and calls nothing after itself, owns the bytes between them, and writes each result to
 * the connection's {@code Session}. It also holds the peek's timers (deadline, server-first delay). Event
 * loop thread only; allocation: see the class.
 */
package io.gatehouse.router.sequence;
