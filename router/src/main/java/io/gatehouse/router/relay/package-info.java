/**
 * Relay: moves bytes both ways between a client channel and its backend channel once the route is
 * chosen, forwarding a FIN as a half-close, an RST as a close, and closing on an idle timeout. Both
 * relays report to a {@link io.gatehouse.router.relay.RelayObserver}; {@link io.gatehouse.router.relay.RelayStarter}
 * picks one per listener.
 *
 * <p>{@link io.gatehouse.router.relay.CopyRelay} (the default) hands the very buffer read from one side to
 * the other (no copy in user space) and reads a side again only while the other side is writable.
 * {@link io.gatehouse.router.relay.SpliceRelay} moves bytes kernel to kernel with splice(2) through pooled
 * pipes (epoll only).
 *
 * <p>Everything here runs on the event loop that owns both channels of a connection; nothing is shared
 * between event loops. After a connection starts, neither relay allocates per byte or per read; each
 * allocates a few objects per connection at start.
 */
package io.gatehouse.router.relay;
