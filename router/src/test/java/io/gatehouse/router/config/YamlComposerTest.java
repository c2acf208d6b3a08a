package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class YamlComposerTest
{
    private static YamlNode read(final String text) throws ConfigException
    {
        return YamlComposer.read(text, "t.yaml");
    }

    private static String value(final YamlNode node)
    {
        return ((YamlNode.Scalar)node).value();
    }

    private static YamlNode.Mapping map(final YamlNode node, final String key)
    {
        return (YamlNode.Mapping)((YamlNode.Mapping)node).get(key);
    }

    @Test
    void shouldReadNestedBlockMappingsAndSequencesWithPositions() throws ConfigException
    {
        final YamlNode.Mapping root = (YamlNode.Mapping)read("""
            # comment
            listeners:
              - name: a   # trailing comment
                address: 127.0.0.1:1
                routes:
                - hostnames: [x.test, "*.x.test"]
                  backends:
                    - 127.0.0.1:2
                    - {address: 127.0.0.1:3, weight: 2}
            admin:
              address: 127.0.0.1:9
            """);
        final YamlNode.Sequence listeners = (YamlNode.Sequence)root.get("listeners");
        final YamlNode.Mapping listener = (YamlNode.Mapping)listeners.items().get(0);
        assertEquals(3, listener.line());
        assertEquals(5, listener.column());
        assertEquals("a", value(listener.get("name")));
        assertEquals(3, listener.get("name").line());
        assertEquals(11, listener.get("name").column());
        assertEquals("127.0.0.1:1", value(listener.get("address")));
        final YamlNode.Mapping route = (YamlNode.Mapping)((YamlNode.Sequence)listener.get("routes")).items().get(0);
        final YamlNode.Sequence names = (YamlNode.Sequence)route.get("hostnames");
        assertEquals(6, names.line());
        assertEquals(18, names.column());
        assertEquals("*.x.test", value(names.items().get(1)));
        assertTrue(((YamlNode.Scalar)names.items().get(1)).quoted());
        assertEquals(6, names.items().get(1).line());
        assertEquals(27, names.items().get(1).column());
        final YamlNode.Mapping weighted = (YamlNode.Mapping)((YamlNode.Sequence)route.get("backends")).items().get(1);
        assertEquals("2", value(weighted.get("weight")));
        assertEquals(9, weighted.get("weight").line());
        assertEquals("127.0.0.1:9", value(map(root, "admin").get("address")));
    }

    @Test
    void shouldReadFlowCollectionsSpanningLinesAndQuotedEscapes() throws ConfigException
    {
        final YamlNode.Mapping root = (YamlNode.Mapping)read("""
            a: [one,
                'two''s', # comment inside
                {k: v, n: [1, 2]},
               ]
            b: {}
            c: []
            d: "a\\"b\\\\c\\u00e9\\x41"
            """);
        final YamlNode.Sequence a = (YamlNode.Sequence)root.get("a");
        assertEquals(3, a.items().size());
        assertEquals("two's", value(a.items().get(1)));
        assertEquals("v", value(((YamlNode.Mapping)a.items().get(2)).get("k")));
        assertTrue(((YamlNode.Mapping)root.get("b")).entries().isEmpty());
        assertTrue(((YamlNode.Sequence)root.get("c")).items().isEmpty());
        assertEquals("a\"b\\c\u00e9A", value(root.get("d")));
    }

    @Test
    void shouldShareAnchoredNodesThroughAliases() throws ConfigException
    {
        final YamlNode root = read("""
            pools:
              web: &web [127.0.0.1:1, 127.0.0.1:2]
            routes:
              - {hostnames: [a.test], backends: *web}
              - {hostnames: [b.test], backends: *web}
            """);
        final YamlNode.Sequence routes = (YamlNode.Sequence)((YamlNode.Mapping)root).get("routes");
        final YamlNode first = ((YamlNode.Mapping)routes.items().get(0)).get("backends");
        assertSame(first, ((YamlNode.Mapping)routes.items().get(1)).get("backends"));
        assertEquals(2, first.line(), "an alias points at the anchored text");
    }

    @Test
    void shouldApplyMergeKeysWithTheMappingsOwnKeysWinning() throws ConfigException
    {
        final YamlNode root = read("""
            base: &base {balance: ring_hash, connect_timeout: 1s}
            slow: &slow {connect_timeout: 5s, connect_attempts: 3}
            one:
              <<: *base
              connect_timeout: 2s
            two:
              <<: [*slow, *base]
            """);
        final YamlNode.Mapping one = map(root, "one");
        assertEquals("2s", value(one.get("connect_timeout")));
        assertEquals("ring_hash", value(one.get("balance")));
        assertEquals(1, one.get("balance").line());
        assertNull(one.get("<<"));
        final YamlNode.Mapping two = map(root, "two");
        assertEquals("5s", value(two.get("connect_timeout")), "earlier merges win over later ones");
        assertEquals("3", value(two.get("connect_attempts")));
        assertEquals("ring_hash", value(two.get("balance")));
        assertEquals(3, two.entries().size());
    }

    @Test
    void shouldReadBlockScalarsTagsDirectivesAndMarkers() throws ConfigException
    {
        final YamlNode root = read("""
            %YAML 1.2
            ---
            literal: |
              line one
              line two
            folded: >-
              a
              b
            text: !!str 8446
            none: !!null x
            number: !!int 12
            upper: NULL
            ...
            """);
        final YamlNode.Mapping map = (YamlNode.Mapping)root;
        assertEquals("line one\nline two\n", value(map.get("literal")));
        assertEquals("a b", value(map.get("folded")));
        assertTrue(((YamlNode.Scalar)map.get("text")).quoted());
        assertTrue(((YamlNode.Scalar)map.get("none")).isNull());
        assertFalse(((YamlNode.Scalar)map.get("number")).quoted());
        assertTrue(((YamlNode.Scalar)map.get("upper")).isNull());
        assertNull(read("# only a comment\n\n"));
        assertNull(read("---\n"));
    }

    @Test
    void shouldEndAPlainValueAtACommentAfterATabAndReadBomCrLfAndJson() throws ConfigException
    {
        final YamlNode.Mapping runtime = map(read("runtime:\n  access_log: /x.log\t# rotated\n  workers: 2\n"), "runtime");
        assertEquals("/x.log", value(runtime.get("access_log")));
        assertEquals("2", value(runtime.get("workers")));
        final YamlNode bom = read("\uFEFF---\r\na: 1\r\nb:\t2\r\n");
        assertEquals("2", value(((YamlNode.Mapping)bom).get("b")));
        assertEquals(2, bom.line());
        assertEquals(1, bom.column(), "the byte order mark takes no column");
        final YamlNode json = read("{\"listeners\": [{\"address\": \"127.0.0.1:1\"}]}");
        assertEquals(List.of("listeners"), ((YamlNode.Mapping)json).entries().stream().map(e -> e.key().value()).toList());
    }

    @Test
    void shouldRefuseDeepNestingAtItsPositionWithoutRecursing()
    {
        final String text = "allow: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
        final ConfigException ex = assertThrows(ConfigException.class, () -> read(text));
        assertEquals("t.yaml:1:" + (8 + YamlComposer.MAX_DEPTH - 1) + ": nested deeper than 64 levels of lists and mappings",
            ex.getMessage());
        final StringBuilder block = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            block.append("  ".repeat(i)).append("k").append(i).append(":\n");
        }
        final ConfigException deep = assertThrows(ConfigException.class, () -> read(block.toString()));
        assertEquals(YamlComposer.MAX_DEPTH + 1, deep.line(), "the 65th mapping starts on line 65: " + deep.getMessage());
    }

    @Test
    void shouldRefuseAnAliasBomb()
    {
        final StringBuilder text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++)
        {
            text.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(9))
                .append("*a").append(i - 1).append("]\n");
        }
        final ConfigException ex = assertThrows(ConfigException.class, () -> read(text.toString()));
        assertTrue(ex.problem().contains("expands to more than 1000000 nodes"), ex.getMessage());
        assertTrue(ex.line() >= 6 && ex.line() <= 7, ex.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dup key        | 'a: 1\\na: 2'                   | 2 | 1  | duplicate key 'a' (first at line 1)",
        "dup flow key   | 'a: {x: 1, x: 2}'               | 1 | 11 | duplicate key 'x'",
        "two docs       | 'a: 1\\n---\\nb: 2'             | 2 | 1  | one YAML document",
        "open flow      | 'a: [1, 2'                      | 1 | 9  | expected ',' or ']'",
        "bad flow sep   | 'a: [1, 2}'                     | 1 | 9  | expected ',' or ']'",
        "unclosed str   | 'a: \"abc'                      | 1 | 8  | unexpected end of stream",
        "bad escape     | 'a: \"\\q\"'                    | 1 | 6  | unknown escape",
        "inline map     | 'a: b: c'                       | 1 | 5  | mapping values are not allowed",
        "tab indent     | 'a:\\n\\tb: 1'                  | 2 | 1  | (TAB) for indentation",
        "unknown alias  | 'a: *x'                         | 1 | 4  | names no anchor",
        "wildcard alias | 'h: [*.a.test]'                 | 1 | 6  | quote a value that starts with '*'",
        "custom tag     | 'a: !secret x'                  | 1 | 4  | unsupported tag '!secret'",
        "seq tag on map | 'a: !!seq {b: 1}'               | 1 | 4  | unsupported tag '!!seq' on a mapping",
        "merge scalar   | 'a:\\n  <<: 1'                  | 2 | 7  | '<<' merges a mapping",
        "list key       | '[a]: 1'                        | 1 | 1  | key must be a plain word",
        "recursive      | 'a: &x [*x]'                    | 1 | 8  | names no anchor",
        "bare ipv6      | 'address: [::1]:21444'          | 1 | 11 | write an IPv6 address in quotes",
        "bare ipv6 list | 'backends: [[::1]:1]'           | 1 | 13 | write an IPv6 address in quotes",
    })
    void shouldRefuseMalformedYamlAtItsPosition(
        final String label, final String text, final int line, final int column, final String fragment)
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> read(text.replace("\\n", "\n").replace("\\t", "\t")));
        assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
        assertEquals("t.yaml:" + line + ":" + column + ": " + ex.problem(), ex.getMessage());
        assertTrue(ex.getMessage().indexOf('\n') < 0, ex.getMessage());
    }
}
