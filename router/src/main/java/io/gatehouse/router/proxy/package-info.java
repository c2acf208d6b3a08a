/**
 * The PROXY protocol (HAProxy's, versions 1 and 2): what a load balancer in front of gatehouse writes
 * before the client's bytes to say who the client was, and what gatehouse writes to a backend for the
 * same reason. {@link io.gatehouse.router.proxy.ProxyHeaderParser} reads a header (strictly: every
 * length checked, TLVs must fill the header exactly), {@link io.gatehouse.router.proxy.ProxyHeaderEncoder}
 * writes one, {@link io.gatehouse.router.proxy.ProxyProtocolDescriptor} holds the wire layout.
 * {@link io.gatehouse.router.proxy.ProxyIn} is the PROXY-in stage over them (a trusted source's header,
 * the signature screen for every other), writing the client it names to a
 * {@link io.gatehouse.router.proxy.ClientAddress}.
 *
 * <p>Data path: one parser and one encoder per event loop, used by that loop's thread only. Neither
 * knows Netty: they work on Agrona buffers, as the peek does. Neither allocates after construction on
 * the byte-level paths; the conveniences that build {@code InetAddress} or {@code String} objects say
 * so and are for logs and control code.
 */
package io.gatehouse.router.proxy;
