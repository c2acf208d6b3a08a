/**
 * JMH benchmarks of the peek (run by hand, not by the test suite; see bench-results/sni-parser.md).
 * Each benchmark state is confined to its JMH thread; the Netty baseline allocates, the parser must not.
 */
package io.gatehouse.sni.bench;
