/**
 * Configuration: the YAML file ({@link io.gatehouse.router.config.YamlComposer}: YAML 1.2 parsed by SnakeYAML
 * Engine, composed into {@link io.gatehouse.router.config.YamlNode}s with line and column for every node, depth
 * and alias expansion bounded, {@code <<} merge keys applied), its validation
 * ({@link io.gatehouse.router.config.ConfigLoader}; errors name file, line and column; the warnings about routes,
 * {@link io.gatehouse.router.config.RouteWarnings}) and the immutable
 * {@link io.gatehouse.router.config.GatehouseConfig} it becomes. Control thread only; allocates freely.
 */
package io.gatehouse.router.config;
