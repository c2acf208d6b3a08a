package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The source-list rules the loader enforces: an empty allow list is an error, mapped addresses are stored as IPv4. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AclConfigTest
{
    private static final Path NAME = Path.of("gh.yaml");

    @Test
    void shouldRefuseAnEmptyListenerAllowListAtItsPosition()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:1
                allow: []
                routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]
            """, NAME));
        assertEquals("gh.yaml:3:12: an empty allow list admits no source: remove 'allow' to admit every source, list the "
            + "sources, or refuse every one with deny: [\"::/0\"]", ex.getMessage());
    }

    @Test
    void shouldRefuseAnEmptyRouteAllowListAndAnAllowKeyWithoutAValue()
    {
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:1
                routes: [{hostnames: [a.test], allow: [], backends: [127.0.0.1:2]}]
            """, NAME));
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:1
                allow:
                routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]
            """, NAME));
        assertEquals(3, ex.line());
    }

    @Test
    void shouldKeepEmptyDenyAndProxyListsAsNothingDeniedOrTrusted() throws ConfigException
    {
        final ListenerConfig listener = ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:1
                deny: []
                proxy_protocol_from: []
                routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]
            """, NAME).listeners().get(0);
        assertEquals(List.of(), listener.deny());
        assertEquals(List.of(), listener.proxyProtocolFrom());
    }

    @Test
    void shouldStoreAnIpv4MappedProxySourceAsItsIpv4Block() throws ConfigException
    {
        final ListenerConfig listener = ConfigLoader.parse("""
            listeners:
              - address: 127.0.0.1:1
                proxy_protocol_from: ["::ffff:127.0.0.2"]
                allow: ["::ffff:127.0.0.0/104"]
                routes: [{hostnames: [a.test], backends: [127.0.0.1:2]}]
            """, NAME).listeners().get(0);
        assertEquals(List.of(Cidr.parse("127.0.0.2/32")), listener.proxyProtocolFrom());
        assertEquals(List.of(Cidr.parse("127.0.0.0/8")), listener.allow());
    }
}
