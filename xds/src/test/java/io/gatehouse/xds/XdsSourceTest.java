package io.gatehouse.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatehouse.router.config.ConfigLoader;
import io.gatehouse.router.config.GatehouseConfig;
import io.gatehouse.router.control.ConfigSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code gatehouse run} gets from {@link XdsSource#factory()}. */
class XdsSourceTest
{
    @Test
    void shouldMakeNoSourceForAFileWithoutXds() throws Exception
    {
        final GatehouseConfig file = ConfigLoader.parse("listeners:\n  - address: 127.0.0.1:0\n    routes:\n"
            + "      - hostnames: [a.test]\n        backends: [127.0.0.1:1]\n", Path.of("a.yaml"));
        assertNull(XdsSource.factory().create(file, line -> { }));
    }

    @Test
    void shouldRefuseTlsFilesThatCannotBeReadBeforeAnythingStarts() throws Exception
    {
        final GatehouseConfig file = ConfigLoader.parse("xds:\n  server: 192.0.2.1:15012\n  node: {id: gh}\n"
            + "  tls: {ca: /nonexistent/ca.pem}\n", Path.of("x.yaml"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> XdsSource.factory().create(file, line -> { }));
        assertEquals("xds.tls: cannot read /nonexistent/ca.pem", ex.getMessage());
    }

    @Test
    void shouldMakeASourceThatStartsWithNoVersionsAndClosesCleanly() throws Exception
    {
        final GatehouseConfig file = ConfigLoader.parse("xds:\n  server: 127.0.0.1:1\n  node: {id: gh}\n", Path.of("x.yaml"));
        final List<String> log = new ArrayList<>();
        final ConfigSource source = XdsSource.factory().create(file, log::add);
        source.start((trigger, listeners) -> { throw new AssertionError("nothing can be offered: nothing listens on port 1"); });
        assertEquals(java.util.Map.of(), source.versions());
        source.close();
    }
}
