package io.gatehouse.router.control;

import io.gatehouse.router.config.GatehouseConfig;

/**
 * What a validated config is handed to (the router). Called on the reloader's thread, one call at a time,
 * never on an event loop. It builds its new snapshots off the event loops and publishes them; listeners
 * are added or removed; established connections are untouched. Throwing means "not applied": the
 * reloader reports the message and keeps the previous config as current, so the target must leave the
 * old state serving when it throws.
 */
@FunctionalInterface
public interface ReloadTarget
{
    void apply(GatehouseConfig config) throws Exception;
}
