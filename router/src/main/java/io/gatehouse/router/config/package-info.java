/**
 * Configuration: the YAML file ({@link io.gatehouse.router.config.YamlReader}, a subset with line and column
 * for every node), its validation ({@link io.gatehouse.router.config.ConfigLoader}; errors name file, line and
 * column; the warnings about routes, {@link io.gatehouse.router.config.RouteWarnings}) and the immutable
 * {@link io.gatehouse.router.config.GatehouseConfig} it becomes. Control thread only; allocates freely.
 */
package io.gatehouse.router.config;
