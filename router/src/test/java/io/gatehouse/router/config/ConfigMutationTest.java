package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input gets a clear error, never a crash: seeded random mutations of a full config (characters that
 * matter to YAML inserted, deleted, lines swapped or cut) must each parse or fail with a one-line
 * {@link ConfigException} that points inside the text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigMutationTest
{
    private static final String SPECIAL = " \t\n:-[]{},#\"'*&!|>%@`?~\\.0123456789abcxyz/";

    @Test
    void shouldAnswerEveryMutatedConfigWithAConfigOrAPositionedError() throws Exception
    {
        final String base = GatehouseConfig.embeddedDefaultText().replace("admin:\n", FULL_TAIL + "admin:\n");
        ConfigLoader.parse(base, Path.of("m.yaml"));
        final Random random = new Random(20261126);
        int errors = 0;
        for (int round = 0; round < 5_000; round++)
        {
            final StringBuilder text = new StringBuilder(base);
            final int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && text.length() > 0; e++)
            {
                final int at = random.nextInt(text.length());
                switch (random.nextInt(4))
                {
                    case 0 -> text.insert(at, SPECIAL.charAt(random.nextInt(SPECIAL.length())));
                    case 1 -> text.deleteCharAt(at);
                    case 2 -> text.setLength(at);
                    default -> text.setCharAt(at, SPECIAL.charAt(random.nextInt(SPECIAL.length())));
                }
            }
            final String mutated = text.toString();
            try
            {
                ConfigLoader.parseWithWarnings(mutated, Path.of("m.yaml"));
            }
            catch (final ConfigException ex)
            {
                errors++;
                final long lines = mutated.chars().filter(c -> c == '\n').count() + 1;
                assertTrue(ex.getMessage().indexOf('\n') < 0, ex.getMessage());
                assertTrue(ex.getMessage().startsWith("m.yaml:"), ex.getMessage());
                assertTrue(ex.line() >= 1 && ex.line() <= lines && ex.column() >= 1,
                    () -> ex.getMessage() + " for:\n" + mutated);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("crash on round " + round + " for:\n" + mutated, ex);
            }
        }
        assertTrue(errors > 250, "mutations should mostly break the config: " + errors);
    }

    private static final String FULL_TAIL = """
          - name: second
            address: "[::1]:0"
            allow: [127.0.0.0/8, "::1/128"]
            limits: {max_connections_per_source: 10, new_connections_per_second_per_source: 5, burst: 10}
            server_first: {route: b.test, delay: 100ms}
            routes:
              - hostnames: ['b.test', "*.b.test"]
                alpn: [h2]
                backends:
                  - {address: 127.0.0.1:7001, weight: 3}
                  - 127.0.0.1:7002
                health: {check: tcp, interval: 2s, timeout: 1s, when_all_down: fail_open}
            default: reject
        """;
}
