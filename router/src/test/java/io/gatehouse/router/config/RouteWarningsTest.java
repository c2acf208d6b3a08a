package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The route warnings through the loader, so the positions are the ones `check` prints. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RouteWarningsTest
{
    private static final Path NAME = Path.of("gh.yaml");

    @Test
    void shouldWarnAboutAnAlpnOnlyNameThatAWildcardAlsoCovers() throws ConfigException
    {
        final List<String> warnings = warnings("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: [secret.w.test]
                    alpn: [h2]
                    allow: [127.0.0.99/32]
                    backends: [127.0.0.1:2]
                  - hostnames: ["*.w.test"]
                    backends: [127.0.0.1:2]
            """);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("gh.yaml:4:21: warning: every route of 'secret.w.test' has an alpn condition (h2)"
            + " and '*.w.test' (line 8) also covers it"), warnings.get(0));
        assertTrue(warnings.get(0).contains("goes to the listener's default"), warnings.get(0));
    }

    @Test
    void shouldWarnAboutAnAlpnOnlyWildcardUnderAWiderWildcardAtAnyDepth() throws ConfigException
    {
        final List<String> warnings = warnings("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: ["*.a.b.w.test"]
                    alpn: [h2, acme-tls/1]
                    backends: [127.0.0.1:2]
                  - hostnames: ["*.w.test"]
                    backends: [127.0.0.1:2]
            """);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("every route of '*.a.b.w.test' has an alpn condition (h2, acme-tls/1)"),
            warnings.get(0));
    }

    @Test
    void shouldNotWarnWhenTheNameAlsoHasARouteWithoutAlpnOrNoWildcardCoversIt() throws ConfigException
    {
        assertEquals(List.of(), warnings("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: [secret.w.test]
                    alpn: [h2]
                    backends: [127.0.0.1:2]
                  - hostnames: [secret.w.test]
                    backends: [127.0.0.1:2]
                  - hostnames: ["*.w.test", h2only.test]
                    backends: [127.0.0.1:2]
                  - hostnames: [h2only.test]
                    alpn: [h2]
                    backends: [127.0.0.1:3]
            """));
    }

    @Test
    void shouldWarnAboutCoalescingWithTheMostSpecificCoveringWildcardOnly() throws ConfigException
    {
        final List<String> warnings = warnings("""
            listeners:
              - address: 127.0.0.1:1
                routes:
                  - hostnames: ["*.test"]
                    backends: [127.0.0.1:4]
                  - hostnames: ["*.w.test"]
                    backends: [127.0.0.1:2]
                  - hostnames: [a.b.c.w.test, d.w.test, e.other.test]
                    backends: [127.0.0.1:3]
                  - hostnames: [same.w.test]
                    backends: [{address: 127.0.0.1:2, weight: 3}]
            """);
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("gh.yaml:8:21: warning: 'a.b.c.w.test' and '*.w.test' (line 6)"), warnings.get(0));
        assertTrue(warnings.get(1).startsWith("gh.yaml:8:35: warning: 'd.w.test' and '*.w.test' (line 6)"), warnings.get(1));
        assertTrue(warnings.get(2).startsWith("gh.yaml:8:45: warning: 'e.other.test' and '*.test' (line 4)"), warnings.get(2));
    }

    @Test
    void shouldCheckTenThousandRoutesOfEveryKindWithoutComparingEachPair() throws ConfigException
    {
        // Not a timing test: it proves the shape that used to be quadratic loads and warns correctly; the
        // time is measured in bench-results/config-validation.md.
        final StringBuilder yaml = new StringBuilder("listeners:\n  - address: 127.0.0.1:1\n    routes:\n");
        for (int i = 0; i < 2_500; i++)
        {
            yaml.append("      - {hostnames: [\"*.w").append(i).append(".test\"], backends: [127.0.0.1:2]}\n");
            yaml.append("      - {hostnames: [x.w").append(i).append(".test], backends: [127.0.0.1:3]}\n");
            yaml.append("      - {hostnames: [y.w").append(i).append(".test], alpn: [h2], backends: [127.0.0.1:2]}\n");
            yaml.append("      - {hostnames: [\"*.z.w").append(i).append(".test\"], backends: [127.0.0.1:2]}\n");
        }
        final List<String> warnings = warnings(yaml.toString());
        assertEquals(5_000, warnings.size());
        assertEquals(2_500, warnings.stream().filter(w -> w.contains("coalescing")).count());
        assertEquals(2_500, warnings.stream().filter(w -> w.contains("alpn condition")).count());
    }

    private static List<String> warnings(final String yaml) throws ConfigException
    {
        return ConfigLoader.parseWithWarnings(yaml, NAME).warnings();
    }
}
