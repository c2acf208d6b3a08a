package io.gatehouse.router.admin;

import io.gatehouse.router.route.BackendOverrides;

/**
 * What {@code POST /backends/{listener}/{route}/{address}} changes: a backend's operator state and weight.
 * Called on the admin API's work thread (never the admin event loop, never a data-path loop).
 */
@FunctionalInterface
public interface BackendControl
{
    /**
     * Applies {@code state} and/or {@code weight} to one backend.
     *
     * @param listener the listener's name as in metrics.
     * @param route    the route's name as in metrics (its first hostname).
     * @param address  {@code host:port} as in the config.
     * @param state    the new state, or {@code null} to keep it.
     * @param weight   the new weight, or {@code null} to keep it.
     * @return the backend's state as a JSON object, or {@code null} when no such backend serves.
     * @throws IllegalArgumentException when the change cannot apply (the message says why; answered 400).
     */
    String apply(String listener, String route, String address, BackendOverrides.State state, Integer weight);
}
