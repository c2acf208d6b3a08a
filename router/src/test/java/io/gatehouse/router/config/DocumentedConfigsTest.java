package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every config an operator can copy from this repository loads: the {@code yaml} blocks of the READMEs, the
 * systemd sample, the embedded demo config and the configs the benchmark scripts write (their shell variables
 * replaced by ports).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DocumentedConfigsTest
{
    private static final Path ROOT = Path.of("..");
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern HEREDOC = Pattern.compile("<<(YAML|CFG)\\n(.*?)\\n\\1\\n", Pattern.DOTALL);

    @Test
    void shouldLoadEveryConfigInTheDocsAndScripts() throws Exception
    {
        final List<String> loaded = new ArrayList<>();
        for (final String doc : List.of("README.md", "router/README-operations.md", "router/README.md", "systemd/README.md"))
        {
            final Path path = ROOT.resolve(doc);
            final Matcher blocks = YAML_BLOCK.matcher(Files.readString(path));
            int index = 0;
            while (blocks.find())
            {
                final String text = blocks.group(1);
                index++;
                if (text.contains("listeners:"))
                {
                    ConfigLoader.parse(text, Path.of(doc + "#" + index));
                    loaded.add(doc + "#" + index);
                }
            }
        }
        for (final String script : List.of("bench-results/run", "bench-results/soak", "bench-results/syscalls"))
        {
            final Matcher docs = HEREDOC.matcher(Files.readString(ROOT.resolve(script)));
            int index = 0;
            while (docs.find())
            {
                index++;
                final String text = withPorts(docs.group(2).replace("$transport", "epoll").replace("$relay", "copy")
                    .replace("$workers", "2"));
                if (text.contains("listeners:"))
                {
                    ConfigLoader.parse(text, Path.of(script + "#" + index));
                    loaded.add(script + "#" + index);
                }
            }
        }
        ConfigLoader.load(ROOT.resolve("systemd/gatehouse.yaml"));
        GatehouseConfig.embeddedDefault();
        assertTrue(loaded.contains("README.md#1"), loaded.toString());
        assertTrue(loaded.contains("router/README-operations.md#1"), loaded.toString());
        assertTrue(loaded.stream().anyMatch(name -> name.startsWith("bench-results/run#")), loaded.toString());
        assertTrue(loaded.contains("bench-results/soak#1"), loaded.toString());
        assertTrue(loaded.stream().anyMatch(name -> name.startsWith("bench-results/syscalls#")), loaded.toString());
    }

    /** Each distinct shell variable becomes its own port. */
    private static String withPorts(final String text)
    {
        final java.util.Map<String, Integer> ports = new java.util.HashMap<>();
        return Pattern.compile("\\$\\{?([a-z_]+)}?").matcher(text)
            .replaceAll(match -> String.valueOf(ports.computeIfAbsent(match.group(1), name -> 23000 + ports.size())));
    }

    @Test
    void shouldQuoteEveryIpv6AddressTheDocsShow() throws Exception
    {
        final Pattern bare = Pattern.compile("(address|backends): \\[?\\[[0-9a-fA-F:]*:[0-9a-fA-F:]*]:");
        for (final String doc : List.of("README.md", "router/README-operations.md", "router/README.md", "systemd/README.md",
            "systemd/gatehouse.yaml"))
        {
            final String text = Files.readString(ROOT.resolve(doc));
            final Matcher matcher = bare.matcher(text);
            assertFalse(matcher.find(), () -> doc + " shows an unquoted IPv6 address, which YAML reads as a list: "
                + text.substring(matcher.start(), Math.min(text.length(), matcher.end() + 10)));
        }
    }
}
