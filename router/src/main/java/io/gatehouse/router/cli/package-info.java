/**
 * The command line: picocli subcommands behind {@code bin/gatehouse}. Runs on the main thread only;
 * allocates freely (control path).
 */
package io.gatehouse.router.cli;
