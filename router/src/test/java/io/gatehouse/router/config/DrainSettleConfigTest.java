package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code runtime.drain_settle}: the time between {@code /ready} turning 503 and the drain. */
class DrainSettleConfigTest
{
    private static final Path NAME = Path.of("gh.yaml");
    private static final String LISTENERS = """
        listeners:
          - address: 127.0.0.1:8446
            routes:
              - hostnames: [a.example.test]
                backends: [127.0.0.1:9443]
        """;

    @Test
    void shouldDefaultToFiveSecondsAndReadADuration() throws ConfigException
    {
        assertEquals(5_000, ConfigLoader.parse(LISTENERS, NAME).runtime().drainSettleMs());
        assertEquals(5_000, RuntimeConfig.DEFAULT.drainSettleMs());
        assertEquals(1_500, ConfigLoader.parse("runtime: {drain_settle: 1500ms}\n" + LISTENERS, NAME).runtime().drainSettleMs());
        assertEquals(0, ConfigLoader.parse("runtime: {drain_settle: 0s}\n" + LISTENERS, NAME).runtime().drainSettleMs());
    }

    @Test
    void shouldRejectASettleOverTenMinutesAtItsPosition()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.parse("runtime: {drain_settle: 11m}\n" + LISTENERS, NAME));
        assertTrue(ex.getMessage().startsWith("gh.yaml:1:25: must be between"), ex.getMessage());
        assertTrue(ex.getMessage().contains("got 11m"), ex.getMessage());
    }
}
