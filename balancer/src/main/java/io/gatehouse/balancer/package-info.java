/**
 * Backend choice: immutable consistent-hash tables (Maglev, ring hash) and simple pickers, built on a
 * control thread and read lock-free from event loops. No Netty, no router.
 */
package io.gatehouse.balancer;
