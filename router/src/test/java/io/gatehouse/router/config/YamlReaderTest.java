package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class YamlReaderTest
{
    private static YamlNode read(final String text) throws ConfigException
    {
        return YamlReader.read(text, "t.yaml");
    }

    private static String value(final YamlNode node)
    {
        return ((YamlNode.Scalar)node).value();
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
        assertEquals("a", value(listener.get("name")));
        assertEquals(3, listener.get("name").line());
        assertEquals(11, listener.get("name").column());
        assertEquals("127.0.0.1:1", value(listener.get("address")));
        final YamlNode.Mapping route = (YamlNode.Mapping)((YamlNode.Sequence)listener.get("routes")).items().get(0);
        final YamlNode.Sequence names = (YamlNode.Sequence)route.get("hostnames");
        assertEquals("*.x.test", value(names.items().get(1)));
        assertTrue(((YamlNode.Scalar)names.items().get(1)).quoted());
        assertEquals(6, names.items().get(1).line());
        assertEquals(27, names.items().get(1).column());
        final YamlNode.Sequence backends = (YamlNode.Sequence)route.get("backends");
        final YamlNode.Mapping weighted = (YamlNode.Mapping)backends.items().get(1);
        assertEquals("127.0.0.1:3", value(weighted.get("address")));
        assertEquals("2", value(weighted.get("weight")));
        assertEquals(9, weighted.get("weight").line());
        assertEquals("127.0.0.1:9", value(((YamlNode.Mapping)root.get("admin")).get("address")));
    }

    @Test
    void shouldReadFlowCollectionsSpanningLines() throws ConfigException
    {
        final YamlNode.Mapping root = (YamlNode.Mapping)read("""
            a: [one,
                'two''s', # comment inside
                {k: v, n: [1, 2]},
               ]
            b: {}
            c: []
            """);
        final YamlNode.Sequence a = (YamlNode.Sequence)root.get("a");
        assertEquals(3, a.items().size());
        assertEquals("two's", value(a.items().get(1)));
        final YamlNode.Mapping inner = (YamlNode.Mapping)a.items().get(2);
        assertEquals("v", value(inner.get("k")));
        assertEquals(2, ((YamlNode.Sequence)inner.get("n")).items().size());
        assertTrue(((YamlNode.Mapping)root.get("b")).entries().isEmpty());
        assertTrue(((YamlNode.Sequence)root.get("c")).items().isEmpty());
    }

    @Test
    void shouldUnescapeDoubleQuotedStrings() throws ConfigException
    {
        final YamlNode.Mapping root = (YamlNode.Mapping)read("k: \"a\\\"b\\\\c\\u00e9\\x41\\n\"\n");
        assertEquals("a\"b\\c\u00e9A\n", value(root.get("k")));
    }

    @Test
    void shouldReadBracketedIpv6HostPortAsPlainScalar() throws ConfigException
    {
        final YamlNode.Mapping root = (YamlNode.Mapping)read("address: [::1]:8446\nlist: [[::1]:1, 127.0.0.1:2]\n");
        assertEquals("[::1]:8446", value(root.get("address")));
        assertEquals("[::1]:1", value(((YamlNode.Sequence)root.get("list")).items().get(0)));
    }

    @Test
    void shouldAcceptDocumentMarkersAndEmptyValues() throws ConfigException
    {
        final YamlNode.Mapping root = (YamlNode.Mapping)read("---\na:\nb: ~\n...\n# trailing\n");
        assertTrue(((YamlNode.Scalar)root.get("a")).isNull());
        assertTrue(((YamlNode.Scalar)root.get("b")).isNull());
        assertNull(read("# only a comment\n\n"));
    }

    @Test
    void shouldReadNestedSequencesAndCrLfLines() throws ConfigException
    {
        final YamlNode.Sequence root = (YamlNode.Sequence)read("- - a\r\n  - b\r\n- c\r\n");
        assertEquals(2, root.items().size());
        assertEquals("b", value(((YamlNode.Sequence)root.items().get(0)).items().get(1)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "anchor        | 'a: &x 1'                        | 1 | 4  | anchors",
        "alias         | 'a: *.x.test'                    | 1 | 4  | quote a wildcard",
        "tag           | 'a: !!str 1'                     | 1 | 4  | tags",
        "block scalar  | 'a: |'                           | 1 | 4  | block scalars",
        "multi-line    | 'a: one\\n  two'                 | 2 | 3  | multi-line",
        "tab indent    | 'a:\\n\\tb: 1'                   | 2 | 1  | tabs",
        "dup key       | 'a: 1\\na: 2'                    | 2 | 1  | duplicate key 'a'",
        "two docs      | 'a: 1\\n---\\nb: 2'              | 2 | 1  | one YAML document",
        "open flow     | 'a: [1, 2'                       | 1 | 9  | unexpected end",
        "bad flow sep  | 'a: [1, 2}'                      | 1 | 9  | expected ',' or ']'",
        "unclosed str  | 'a: \"abc'                       | 1 | 4  | must end on the line",
        "bad escape    | 'a: \"\\q\"'                     | 1 | 5  | unknown escape",
        "inline map    | 'a: b: c'                        | 1 | 5  | nested mapping",
        "directive     | '%YAML 1.2\\n---\\na: 1'         | 1 | 1  | directives",
        "complex key   | '? a\\n: b'                      | 1 | 1  | complex keys",
        "trailing text | 'a: [1] x'                       | 1 | 8  | unexpected text",
        "seq in map    | 'a: 1\\n- b'                     | 2 | 1  | list item",
        "dup flow key  | 'a: {x: 1, x: 2}'                | 1 | 11 | duplicate key 'x'",
        "no space      | 'a: 1\nb:2'                     | 2 | 2  | a space must follow ':'",
    })
    void shouldRejectOutsideTheSubsetAtItsPosition(
        final String label, final String text, final int line, final int column, final String fragment)
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> read(text.replace("\\n", "\n").replace("\\t", "\t")));
        assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
        assertEquals("t.yaml:" + line + ":" + column + ": " + ex.problem(), ex.getMessage());
        assertEquals(line, ex.line(), ex.getMessage());
        assertEquals(column, ex.column(), ex.getMessage());
        assertTrue(ex.getMessage().indexOf('\n') < 0);
    }
}
