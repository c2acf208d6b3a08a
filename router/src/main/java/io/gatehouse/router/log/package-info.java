/**
 * The access log: one JSON line per connection at close ({@link io.gatehouse.router.log.AccessLogEntry},
 * format in {@link io.gatehouse.router.log.AccessLogFormat}). Event loops hand entries to
 * {@link io.gatehouse.router.log.AccessLog#offer} (a JCTools MPSC queue: wait-free, never blocks, a full
 * queue drops and counts); one writer thread, {@code gatehouse-access-log}, formats and writes them and
 * reopens the file on request (SIGUSR1, for logrotate). Allocation: the entry itself, one per connection,
 * made by the event loop (the backends tried travel as indexes into the route's shared id list); formatting,
 * the {@code host:port} strings included, allocates only on the writer thread.
 */
package io.gatehouse.router.log;
