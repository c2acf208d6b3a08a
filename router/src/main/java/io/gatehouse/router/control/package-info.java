/**
 * Live change: {@link io.gatehouse.router.control.ConfigReloader} re-reads and validates the whole config
 * on SIGHUP, {@code POST /reload} or a change of the file, then hands it to a
 * {@link io.gatehouse.router.control.ReloadTarget} (the router), which publishes new snapshots with one
 * volatile write. An invalid config is logged and answered, and the old one keeps serving. A
 * {@link io.gatehouse.router.control.ConfigSource} (the {@code xds} module's ADS client) offers listeners
 * of its own through the same reloader, which serves them beside the file's. Also the
 * SIGUSR1 hook that reopens the access log. Runs on its own threads (signal dispatch, file watch, the
 * admin thread); reloads are serialised; allocates freely.
 */
package io.gatehouse.router.control;
