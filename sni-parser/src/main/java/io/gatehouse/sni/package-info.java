/**
 * The peek: an incremental parser of a client's first flight (TLS ClientHello, HTTP/1.x request
 * head, h2c preface and first HEADERS) that finds the name to route on. No Netty, no router.
 */
package io.gatehouse.sni;
