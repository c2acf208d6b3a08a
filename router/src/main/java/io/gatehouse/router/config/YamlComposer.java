package io.gatehouse.router.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads one YAML 1.2 document into {@link YamlNode}s that keep the line and column where each node starts.
 * The text is scanned and parsed by SnakeYAML Engine (anchors, aliases, block scalars, tags, {@code %YAML}
 * directives, flow and block styles, JSON); this class composes the parser's events into the tree itself,
 * with an explicit stack, so that no input can make it recurse:
 * <ul>
 *   <li>nesting deeper than {@link #MAX_DEPTH} is an error at the collection that goes too deep (an
 *       {@code allow:} followed by 10,000 {@code [} is one line of error, not a {@code StackOverflowError});</li>
 *   <li>aliases share the anchored node; the tree they expand to is bounded at {@link #MAX_EXPANDED_NODES}
 *       (a billion-laughs file is refused at the alias that crosses the bound);</li>
 *   <li>{@code <<} merge keys (YAML 1.1, what operators write to share defaults) are applied: a mapping's own
 *       keys win, then the merged mappings in the order listed;</li>
 *   <li>duplicate keys are an error at the second one; a second document is an error at its start;</li>
 *   <li>the core tags {@code !!str}, {@code !!null}, {@code !!int}, {@code !!float}, {@code !!bool},
 *       {@code !!map}, {@code !!seq} and {@code !} are understood; any other tag is an error.</li>
 * </ul>
 * Errors are {@link ConfigException}s at the parser's mark, 1-based, one line.
 *
 * <p>Control thread only; not thread-safe; allocates freely.
 */
public final class YamlComposer
{
    /** Collections nested deeper than this are refused: a gatehouse config needs about eight. */
    public static final int MAX_DEPTH = 64;

    /** Nodes the document may expand to through aliases (every node counted once per path to it). */
    public static final int MAX_EXPANDED_NODES = 1_000_000;

    private static final String MERGE_KEY = "<<";
    private static final String CORE = "tag:yaml.org,2002:";

    private final String file;
    private final Map<String, YamlNode> anchors = new HashMap<>();
    private final Map<YamlNode, Weight> weights = new IdentityHashMap<>();
    private final ArrayDeque<Frame> stack = new ArrayDeque<>();
    private YamlNode root;

    /** How big a node is once every alias in it is expanded, and how deep it goes. */
    private record Weight(long nodes, int height)
    {
    }

    private YamlComposer(final String file)
    {
        this.file = file;
    }

    /**
     * Reads one document.
     *
     * @param text the YAML text (a leading byte order mark is skipped).
     * @param file the name errors carry.
     * @return the root node, or {@code null} for a document with no content.
     * @throws ConfigException at the first malformed or refused thing.
     */
    public static YamlNode read(final String text, final String file) throws ConfigException
    {
        final String body = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
        final YamlComposer composer = new YamlComposer(file);
        try
        {
            return composer.compose(body);
        }
        catch (final MarkedYamlEngineException ex)
        {
            throw composer.translate(ex);
        }
        catch (final YamlEngineException ex)
        {
            throw new ConfigException(file, 1, 1, oneLine(ex.getMessage()));
        }
    }

    private YamlNode compose(final String text) throws ConfigException
    {
        final LoadSettings settings = LoadSettings.builder()
            .setLabel(file)
            .setUseMarks(true)
            .setAllowDuplicateKeys(true)
            .setParseComments(false)
            .setCodePointLimit(Math.max(ConfigLoader.MAX_CONFIG_BYTES, text.length() + 1))
            .build();
        final ParserImpl parser = new ParserImpl(settings, new StreamReader(settings, text));
        int documents = 0;
        while (parser.hasNext())
        {
            final Event event = parser.next();
            switch (event.getEventId())
            {
                case StreamStart, StreamEnd, DocumentEnd, Comment ->
                {
                }
                case DocumentStart ->
                {
                    if (++documents > 1)
                    {
                        throw error(event.getStartMark(), "only one YAML document is supported per config file");
                    }
                }
                case Scalar -> complete(scalar((ScalarEvent)event), event);
                case Alias -> complete(alias((AliasEvent)event), event);
                case SequenceStart -> open(new Frame((CollectionStartEvent)event, false));
                case MappingStart -> open(new Frame((CollectionStartEvent)event, true));
                case SequenceEnd, MappingEnd -> close();
            }
        }
        if (root instanceof YamlNode.Scalar scalar && scalar.isNull())
        {
            return null;
        }
        return root;
    }

    private YamlNode.Scalar scalar(final ScalarEvent event) throws ConfigException
    {
        final Mark mark = mark(event.getStartMark());
        boolean quoted = !event.isPlain();
        String value = event.getValue();
        final Optional<String> tag = event.getTag();
        if (tag.isPresent())
        {
            switch (coreName(tag.get()))
            {
                case "str", "!" -> quoted = true;
                case "null" ->
                {
                    quoted = false;
                    value = "";
                }
                case "int", "float", "bool" -> quoted = false;
                default -> throw error(event.getStartMark(), unsupportedTag(tag.get(), "a scalar"));
            }
        }
        final YamlNode.Scalar node = new YamlNode.Scalar(value, quoted, mark.getLine() + 1, mark.getColumn() + 1);
        weights.put(node, new Weight(1, 0));
        return node;
    }

    private YamlNode alias(final AliasEvent event) throws ConfigException
    {
        final String name = event.getAlias().getValue();
        final YamlNode target = anchors.get(name);
        if (target == null)
        {
            throw error(event.getStartMark(), "alias *" + name + " names no anchor defined before it (write &" + name
                + " on an earlier node; an alias cannot refer to the node it is inside; quote a value that starts with '*')");
        }
        if (stack.size() + weight(target).height() > MAX_DEPTH)
        {
            throw error(event.getStartMark(), "alias *" + name + " nests the config deeper than " + MAX_DEPTH + " levels");
        }
        return target;
    }

    private void open(final Frame frame) throws ConfigException
    {
        if (stack.size() >= MAX_DEPTH)
        {
            throw error(frame.event.getStartMark(), "nested deeper than " + MAX_DEPTH + " levels of lists and mappings");
        }
        final Optional<String> tag = frame.event.getTag();
        if (tag.isPresent())
        {
            final String name = coreName(tag.get());
            if (!(frame.mapping ? name.equals("map") : name.equals("seq")) && !name.equals("!"))
            {
                throw error(frame.event.getStartMark(), unsupportedTag(tag.get(), frame.mapping ? "a mapping" : "a list"));
            }
        }
        stack.push(frame);
    }

    private void close() throws ConfigException
    {
        final Frame frame = stack.pop();
        final Mark mark = mark(frame.event.getStartMark());
        final YamlNode node;
        if (frame.mapping)
        {
            node = new YamlNode.Mapping(frame.merged(), mark.getLine() + 1, mark.getColumn() + 1);
        }
        else
        {
            node = new YamlNode.Sequence(frame.items, mark.getLine() + 1, mark.getColumn() + 1);
        }
        weights.put(node, new Weight(frame.nodes + 1, frame.height + 1));
        complete(node, frame.event);
    }

    private void complete(final YamlNode node, final Event event) throws ConfigException
    {
        if (event instanceof NodeEvent nodeEvent && !(event instanceof AliasEvent))
        {
            final Optional<Anchor> anchor = nodeEvent.getAnchor();
            anchor.ifPresent(a -> anchors.put(a.getValue(), node));
        }
        final Frame parent = stack.peek();
        if (parent == null)
        {
            root = node;
            return;
        }
        final Weight weight = weight(node);
        parent.nodes += weight.nodes();
        parent.height = Math.max(parent.height, weight.height());
        if (parent.nodes > MAX_EXPANDED_NODES)
        {
            throw error(event.getStartMark(), "the config expands to more than " + MAX_EXPANDED_NODES
                + " nodes through aliases (an alias bomb?)");
        }
        if (!parent.mapping)
        {
            parent.items.add(node);
        }
        else if (parent.key == null)
        {
            if (!(node instanceof YamlNode.Scalar key))
            {
                throw error(event.getStartMark(), "a mapping key must be a plain word, not " + node.kind());
            }
            parent.key = key;
        }
        else
        {
            parent.put(parent.key, node);
            parent.key = null;
        }
    }

    private Weight weight(final YamlNode node)
    {
        return weights.get(node);
    }

    /** A collection being composed: its items, or its keys and values with the merges it asked for. */
    private final class Frame
    {
        final CollectionStartEvent event;
        final boolean mapping;
        final List<YamlNode> items = new ArrayList<>();
        final List<YamlNode.Entry> entries = new ArrayList<>();
        final Map<String, YamlNode.Scalar> keys = new HashMap<>();
        final List<YamlNode.Mapping> merges = new ArrayList<>();
        YamlNode.Scalar key;
        long nodes;
        int height;

        Frame(final CollectionStartEvent event, final boolean mapping)
        {
            this.event = event;
            this.mapping = mapping;
        }

        void put(final YamlNode.Scalar key, final YamlNode value) throws ConfigException
        {
            final YamlNode.Scalar first = keys.putIfAbsent(key.value(), key);
            if (first != null)
            {
                throw new ConfigException(file, key.line(), key.column(), "duplicate key '" + key.value() + "' (first at line "
                    + first.line() + ")");
            }
            if (!key.quoted() && key.value().equals(MERGE_KEY))
            {
                if (value instanceof YamlNode.Mapping map)
                {
                    merges.add(map);
                    return;
                }
                if (value instanceof YamlNode.Sequence seq && !seq.items().isEmpty()
                    && seq.items().stream().allMatch(item -> item instanceof YamlNode.Mapping))
                {
                    seq.items().forEach(item -> merges.add((YamlNode.Mapping)item));
                    return;
                }
                throw new ConfigException(file, value.line(), value.column(),
                    "'<<' merges a mapping or a list of mappings (such as *defaults), not " + value.kind());
            }
            entries.add(new YamlNode.Entry(key, value));
        }

        List<YamlNode.Entry> merged()
        {
            if (merges.isEmpty())
            {
                return entries;
            }
            final List<YamlNode.Entry> out = new ArrayList<>(entries);
            for (final YamlNode.Mapping source : merges)
            {
                for (final YamlNode.Entry entry : source.entries())
                {
                    if (keys.putIfAbsent(entry.key().value(), entry.key()) == null)
                    {
                        out.add(entry);
                    }
                }
            }
            return out;
        }
    }

    private static String coreName(final String tag)
    {
        return tag.startsWith(CORE) ? tag.substring(CORE.length()) : tag;
    }

    private static String unsupportedTag(final String tag, final String kind)
    {
        return "unsupported tag '" + tag.replace(CORE, "!!") + "' on " + kind
            + " (the core tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq work)";
    }

    private ConfigException translate(final MarkedYamlEngineException ex)
    {
        final Optional<Mark> at = ex.getProblemMark().isPresent() ? ex.getProblemMark() : ex.getContextMark();
        final StringBuilder problem = new StringBuilder(oneLine(ex.getProblem() == null ? "malformed YAML" : ex.getProblem()));
        if (ex.getContext() != null && ex.getContextMark().isPresent() && ex.getProblemMark().isPresent())
        {
            final Mark context = ex.getContextMark().get();
            problem.append(" (").append(oneLine(ex.getContext())).append(" at line ").append(context.getLine() + 1)
                .append(", column ").append(context.getColumn() + 1).append(')');
        }
        if (ex.getContext() != null && ex.getContext().contains("scanning an alias"))
        {
            problem.append("; quote a value that starts with '*', such as \"*.a.example.test\"");
        }
        if (at.isPresent() && looksLikeBareIpv6(at.get()))
        {
            problem.append("; write an IPv6 address in quotes: \"[::1]:8446\"");
        }
        final Mark mark = at.orElse(null);
        return new ConfigException(file, mark == null ? 1 : mark.getLine() + 1, mark == null ? 1 : mark.getColumn() + 1,
            problem.toString());
    }

    /** Whether the line of {@code mark} holds an unquoted {@code [v6]:port}, which YAML reads as a list. */
    private static boolean looksLikeBareIpv6(final Mark mark)
    {
        final int[] buffer = mark.getBuffer();
        if (buffer == null)
        {
            return false;
        }
        int start = Math.max(0, Math.min(mark.getPointer(), buffer.length));
        while (start > 0 && buffer[start - 1] != '\n')
        {
            start--;
        }
        int end = start;
        while (end < buffer.length && buffer[end] != '\n')
        {
            end++;
        }
        final String line = new String(buffer, start, end - start);
        return line.matches(".*(^|[\\s,\\[{])\\[[0-9A-Fa-f:.%]*:[0-9A-Fa-f:.%]*\\]:[0-9].*");
    }

    private static String oneLine(final String text)
    {
        return text == null ? "malformed YAML" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private Mark mark(final Optional<Mark> mark)
    {
        return mark.orElseThrow(() -> new IllegalStateException("SnakeYAML event without a mark"));
    }

    private ConfigException error(final Optional<Mark> mark, final String problem)
    {
        final int line = mark.map(m -> m.getLine() + 1).orElse(1);
        final int column = mark.map(m -> m.getColumn() + 1).orElse(1);
        return new ConfigException(file, line, column, problem);
    }
}
