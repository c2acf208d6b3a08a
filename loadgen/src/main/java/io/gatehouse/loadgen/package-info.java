/**
 * The bundled open-loop load generator and the demo/benchmark backends it drives.
 */
package io.gatehouse.loadgen;
