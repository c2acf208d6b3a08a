/**
 * Relay: moves bytes both ways between a client channel and its backend channel once the route is
 * chosen, forwarding a FIN as a half-close, an RST as a close, and closing on an idle timeout.
 *
 * <p>{@link io.gatehouse.router.relay.SpliceRelay} moves bytes kernel to kernel with splice(2) through
 * pooled pipes (epoll only). Everything here runs on the event loop that owns both channels of a
 * connection; nothing is shared between event loops. After a connection starts, the splice relay
 * allocates nothing per byte or per read; it allocates a few objects per connection at start.
 */
package io.gatehouse.router.relay;
