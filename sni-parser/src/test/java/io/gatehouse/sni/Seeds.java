package io.gatehouse.sni;

import java.util.ArrayList;
import java.util.List;

import static io.gatehouse.sni.HandBuiltHello.cat;
import static io.gatehouse.sni.Hpack.frame;
import static io.gatehouse.sni.Hpack.h2c;
import static io.gatehouse.sni.Hpack.headers;
import static io.gatehouse.sni.Hpack.incremental;
import static io.gatehouse.sni.Hpack.request;

/** Valid first flights of every kind, for the fuzz and allocation tests. */
final class Seeds
{
    static final String[] FIXTURES =
    {
        "openssl-tls12", "openssl-tls13", "openssl-alpn", "openssl-maxfrag", "curl-https", "jdk-sslsocket",
        "python-ssl", "netty-jdk", "curl-http1", "curl-h2c"
    };

    private Seeds()
    {
    }

    static List<byte[]> all()
    {
        final List<byte[]> seeds = new ArrayList<>();
        for (final String fixture : FIXTURES)
        {
            seeds.add(Flight.fixture(fixture));
        }
        seeds.add(ClientHelloBuilder.refragment(Flight.fixture("curl-https"), 64));
        seeds.add(new ClientHelloBuilder().serverName("pq.example").alpn("h2").postQuantumKeyShare(true).padToBytes(1800).build());
        seeds.add(new ClientHelloBuilder().serverName("frag.example").alpn("h2", "http/1.1").padToBytes(512).records(16).build());
        seeds.add(new ClientHelloBuilder().serverName("ech.example").encryptedClientHello(true).build());
        seeds.add(HandBuiltHello.hello("hand.example"));
        seeds.add(Flight.ascii("GET http://abs.example/x HTTP/1.1\r\nHost: other.example\r\nAccept: */*\r\n\r\n"));
        seeds.add(Flight.ascii("POST /x HTTP/1.1\r\nhost: [::1]:8080\r\nContent-Length: 3\r\n\r\nabc"));
        final byte[] block = request(incremental(1, "h2c.example:8080", true));
        seeds.add(h2c(frame(8, 0, 0, new byte[] {0, 0x0f, 0, 1}), frame(1, 0x1, 1, java.util.Arrays.copyOfRange(block, 0, 4)),
            frame(9, 0x4, 1, java.util.Arrays.copyOfRange(block, 4, block.length))));
        seeds.add(h2c(headers(cat(incremental("x-a", "1", true), Hpack.indexed(62), Hpack.literal(0x10, 38, "host.example", true)))));
        return seeds;
    }
}
