/**
 * Relaying bytes once a backend is connected. {@link io.gatehouse.router.relay.CopyRelay} hands the very
 * buffer read from one side to the other (no copy in user space), reads a side again only while the other
 * side is writable, forwards a FIN as a half-close and closes when both directions are done; the splice
 * relay (epoll only) moves bytes kernel to kernel. Both report to a
 * {@link io.gatehouse.router.relay.RelayObserver}. Event loop thread only (both channels live on one
 * loop); one relay object and two listener objects per connection, nothing allocated per read.
 */
package io.gatehouse.router.relay;
