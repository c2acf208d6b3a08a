/**
 * The command line: picocli subcommands behind {@code bin/gatehouse}, the top of the dependency graph
 * (it composes the router and the load generator; neither knows it). Runs on the main thread only;
 * allocates freely (control path).
 */
package io.gatehouse.cli;
