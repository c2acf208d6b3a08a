/**
 * Configuration: the YAML file, its validation (errors name file, line and column) and the immutable
 * {@link io.gatehouse.router.config.GatehouseConfig} it becomes. Control thread only; allocates freely.
 */
package io.gatehouse.router.config;
