package io.gatehouse.router.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the YAML subset gatehouse configs use, keeping the line and column of every node:
 * block mappings and sequences, flow sequences {@code [a, "b"]} and flow mappings {@code {k: v}}
 * (which may span lines), plain, single- and double-quoted scalars, {@code #} comments and one document
 * optionally opened by {@code ---} and closed by {@code ...}. Anchors, aliases, tags, block scalars
 * ({@code |}, {@code >}), multi-line plain scalars, complex keys and directives are refused with an error
 * at their position. One extension: a plain {@code [::1]:8446} is read as the scalar it plainly means,
 * not as a flow sequence followed by garbage.
 *
 * <p>Control thread only; not thread-safe; allocates freely. Errors are {@link ConfigException}s.
 */
public final class YamlReader
{
    private final String text;
    private final String file;
    private final int[] lineStarts;
    private final int[] lineEnds;
    private final Set<Integer> blanked = new HashSet<>();
    private int lineCount;
    private int cur;

    private YamlReader(final String text, final String file)
    {
        this.text = text;
        this.file = file;
        int lines = 1;
        for (int i = 0; i < text.length(); i++)
        {
            if (text.charAt(i) == '\n')
            {
                lines++;
            }
        }
        lineStarts = new int[lines];
        lineEnds = new int[lines];
        int line = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++)
        {
            if (i == text.length() || text.charAt(i) == '\n')
            {
                lineStarts[line] = start;
                int end = i;
                if (end > start && text.charAt(end - 1) == '\r')
                {
                    end--;
                }
                lineEnds[line] = end;
                line++;
                start = i + 1;
            }
        }
        lineCount = lines;
    }

    /**
     * Reads one document.
     *
     * @param text the YAML text.
     * @param file the name errors carry.
     * @return the root node, or {@code null} for a document with no content.
     * @throws ConfigException at the first thing outside the subset or malformed.
     */
    public static YamlNode read(final String text, final String file) throws ConfigException
    {
        final String body = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? " " + text.substring(1) : text;
        final YamlReader reader = new YamlReader(body, file);
        return reader.readDocument();
    }

    private YamlNode readDocument() throws ConfigException
    {
        boolean seenContent = false;
        for (int i = 0; i < lineCount; i++)
        {
            final int start = lineStarts[i];
            final int end = lineEnds[i];
            if (isMarker(start, end, "---"))
            {
                if (seenContent)
                {
                    throw error(start, "only one YAML document is supported per config file");
                }
                if (!restIsBlank(start + 3, end))
                {
                    throw error(start + 3, "put the document's content on the lines after '---'");
                }
                blankLine(i);
                continue;
            }
            if (isMarker(start, end, "..."))
            {
                for (int j = i + 1; j < lineCount; j++)
                {
                    if (!isBlankOrComment(j) && !isMarker(lineStarts[j], lineEnds[j], "---"))
                    {
                        throw error(lineStarts[j], "only one YAML document is supported per config file");
                    }
                }
                lineCount = i;
                break;
            }
            if (end > start && text.charAt(start) == '%')
            {
                throw error(start, "YAML directives ('%...') are not supported");
            }
            if (!isBlankOrComment(i))
            {
                seenContent = true;
            }
        }
        cur = 0;
        final YamlNode root = parseBlockNode(0);
        final int next = nextContentLine(cur);
        if (next >= 0)
        {
            final int off = lineStarts[next] + indent(next);
            throw error(off, "unexpected content after the document's root " + (root == null ? "node" : root.kind()));
        }
        return root;
    }

    private boolean isMarker(final int start, final int end, final String marker)
    {
        return end - start >= 3 && text.startsWith(marker, start)
            && (end - start == 3 || text.charAt(start + 3) == ' ' || text.charAt(start + 3) == '\t');
    }

    private void blankLine(final int line)
    {
        blanked.add(line);
    }

    private boolean restIsBlank(final int from, final int end)
    {
        int p = from;
        while (p < end && (text.charAt(p) == ' ' || text.charAt(p) == '\t'))
        {
            p++;
        }
        return p == end || text.charAt(p) == '#';
    }

    private boolean isBlankOrComment(final int line)
    {
        if (blanked.contains(line))
        {
            return true;
        }
        final int start = lineStarts[line];
        final int end = lineEnds[line];
        int p = start;
        while (p < end && (text.charAt(p) == ' ' || text.charAt(p) == '\t'))
        {
            p++;
        }
        return p == end || text.charAt(p) == '#';
    }

    private int nextContentLine(final int from) throws ConfigException
    {
        for (int i = from; i < lineCount; i++)
        {
            if (!isBlankOrComment(i))
            {
                final int start = lineStarts[i];
                for (int p = start; p < lineEnds[i] && (text.charAt(p) == ' ' || text.charAt(p) == '\t'); p++)
                {
                    if (text.charAt(p) == '\t')
                    {
                        throw error(p, "tabs are not allowed in indentation; use spaces");
                    }
                }
                return i;
            }
        }
        return -1;
    }

    private int indent(final int line)
    {
        int p = lineStarts[line];
        while (p < lineEnds[line] && text.charAt(p) == ' ')
        {
            p++;
        }
        return p - lineStarts[line];
    }

    private YamlNode parseBlockNode(final int minIndent) throws ConfigException
    {
        final int line = nextContentLine(cur);
        if (line < 0 || indent(line) < minIndent)
        {
            return null;
        }
        final int col = indent(line);
        final int off = lineStarts[line] + col;
        if (isSequenceIndicator(line, off))
        {
            return parseSequence(line, off, col);
        }
        if (isMappingEntry(line, off))
        {
            return parseMapping(line, off, col);
        }
        return parseInlineValue(line, off);
    }

    private boolean isSequenceIndicator(final int line, final int off)
    {
        return text.charAt(off) == '-' && (off + 1 == lineEnds[line] || text.charAt(off + 1) == ' ');
    }

    private boolean isMappingEntry(final int line, final int off) throws ConfigException
    {
        final int end = lineEnds[line];
        final char c = text.charAt(off);
        if (c == '"' || c == '\'')
        {
            final int close = quotedEnd(off, end);
            if (close < 0)
            {
                return false;
            }
            int p = close;
            while (p < end && text.charAt(p) == ' ')
            {
                p++;
            }
            return p < end && text.charAt(p) == ':' && (p + 1 == end || text.charAt(p + 1) == ' ');
        }
        if (c == '[' || c == '{' || c == '#')
        {
            return false;
        }
        return plainKeyColon(off, end) >= 0;
    }

    /** The offset of the ':' ending a plain key on [off, end), or -1. */
    private int plainKeyColon(final int off, final int end)
    {
        for (int p = off; p < end; p++)
        {
            final char ch = text.charAt(p);
            if (ch == '#' && p > off && text.charAt(p - 1) == ' ')
            {
                return -1;
            }
            if (ch == ':' && (p + 1 == end || text.charAt(p + 1) == ' '))
            {
                return p;
            }
        }
        return -1;
    }

    /** Offset just past the closing quote of the quoted scalar at off, or -1 when it does not close on the line. */
    private int quotedEnd(final int off, final int end)
    {
        final char quote = text.charAt(off);
        int p = off + 1;
        while (p < end)
        {
            final char ch = text.charAt(p);
            if (quote == '"' && ch == '\\')
            {
                p += 2;
                continue;
            }
            if (ch == quote)
            {
                if (quote == '\'' && p + 1 < end && text.charAt(p + 1) == '\'')
                {
                    p += 2;
                    continue;
                }
                return p + 1;
            }
            p++;
        }
        return -1;
    }

    private YamlNode.Mapping parseMapping(final int firstLine, final int firstOff, final int col) throws ConfigException
    {
        final List<YamlNode.Entry> entries = new ArrayList<>();
        final Set<String> keys = new HashSet<>();
        int line = firstLine;
        int off = firstOff;
        boolean first = true;
        while (true)
        {
            if (!first)
            {
                line = nextContentLine(cur);
                if (line < 0 || indent(line) < col)
                {
                    break;
                }
                off = lineStarts[line] + indent(line);
                if (indent(line) > col)
                {
                    throw error(off, "unexpected indentation (multi-line scalars are not supported)");
                }
                if (isSequenceIndicator(line, off))
                {
                    throw error(off, "a list item where a key of the mapping at line " + (firstLine + 1) + " was expected");
                }
                if (!isMappingEntry(line, off))
                {
                    final int colon = text.indexOf(':', off);
                    if (colon >= 0 && colon < lineEnds[line])
                    {
                        throw error(colon, "expected 'key: value': a space must follow ':'");
                    }
                    throw error(off, "expected 'key: value' (multi-line scalars are not supported)");
                }
            }
            first = false;
            final int end = lineEnds[line];
            final YamlNode.Scalar key;
            int p;
            if (text.charAt(off) == '"' || text.charAt(off) == '\'')
            {
                final int close = quotedEnd(off, end);
                key = new YamlNode.Scalar(unquote(off, close), true, line + 1, off - lineStarts[line] + 1);
                p = close;
                while (text.charAt(p) == ' ')
                {
                    p++;
                }
            }
            else
            {
                checkPlainStart(off);
                p = plainKeyColon(off, end);
                key = new YamlNode.Scalar(text.substring(off, p).trim(), false, line + 1, off - lineStarts[line] + 1);
            }
            if (key.value().isEmpty())
            {
                throw error(off, "empty key");
            }
            if (!keys.add(key.value()))
            {
                throw error(off, "duplicate key '" + key.value() + "'");
            }
            p++;
            while (p < end && text.charAt(p) == ' ')
            {
                p++;
            }
            final YamlNode value;
            if (p == end || text.charAt(p) == '#')
            {
                cur = line + 1;
                final int next = nextContentLine(cur);
                if (next >= 0 && indent(next) > col)
                {
                    value = parseBlockNode(col + 1);
                }
                else if (next >= 0 && indent(next) == col && isSequenceIndicator(next, lineStarts[next] + col))
                {
                    value = parseSequence(next, lineStarts[next] + col, col);
                }
                else
                {
                    value = new YamlNode.Scalar("", false, line + 1, p - lineStarts[line] + 1);
                }
            }
            else
            {
                value = parseInlineValue(line, p);
            }
            entries.add(new YamlNode.Entry(key, value));
        }
        return new YamlNode.Mapping(entries, firstLine + 1, firstOff - lineStarts[firstLine] + 1);
    }

    private YamlNode.Sequence parseSequence(final int firstLine, final int firstOff, final int col) throws ConfigException
    {
        final List<YamlNode> items = new ArrayList<>();
        int line = firstLine;
        int off = firstOff;
        boolean first = true;
        while (true)
        {
            if (!first)
            {
                line = nextContentLine(cur);
                if (line < 0 || indent(line) < col)
                {
                    break;
                }
                off = lineStarts[line] + indent(line);
                if (indent(line) > col)
                {
                    throw error(off, "unexpected indentation (multi-line scalars are not supported)");
                }
                if (!isSequenceIndicator(line, off))
                {
                    break;
                }
            }
            first = false;
            final int end = lineEnds[line];
            int p = off + 1;
            while (p < end && text.charAt(p) == ' ')
            {
                p++;
            }
            final YamlNode item;
            if (p == end || text.charAt(p) == '#')
            {
                cur = line + 1;
                final YamlNode nested = parseBlockNode(col + 1);
                item = nested != null ? nested : new YamlNode.Scalar("", false, line + 1, p - lineStarts[line] + 1);
            }
            else
            {
                final int itemCol = p - lineStarts[line];
                if (isSequenceIndicator(line, p))
                {
                    item = parseSequence(line, p, itemCol);
                }
                else if (isMappingEntry(line, p))
                {
                    item = parseMapping(line, p, itemCol);
                }
                else
                {
                    item = parseInlineValue(line, p);
                }
            }
            items.add(item);
        }
        return new YamlNode.Sequence(items, firstLine + 1, firstOff - lineStarts[firstLine] + 1);
    }

    /** A value that starts at p on line and ends on it (or, for a flow collection, on a later line). */
    private YamlNode parseInlineValue(final int line, final int p) throws ConfigException
    {
        final int end = lineEnds[line];
        final char c = text.charAt(p);
        if ((c == '[' && !isBracketedHostPort(p, end)) || c == '{')
        {
            final int[] cursor = {p};
            final YamlNode node = parseFlow(cursor, false);
            final int after = cursor[0];
            final int afterLine = lineOf(after);
            if (!restIsBlank(after, lineEnds[afterLine]))
            {
                int at = after;
                while (text.charAt(at) == ' ' || text.charAt(at) == '\t')
                {
                    at++;
                }
                throw error(at, "unexpected text after " + node.kind());
            }
            cur = afterLine + 1;
            return node;
        }
        if (c == '"' || c == '\'')
        {
            final int close = quotedEnd(p, end);
            if (close < 0)
            {
                throw error(p, "a quoted string must end on the line it starts on");
            }
            if (!restIsBlank(close, end))
            {
                throw error(close, "unexpected text after the quoted string");
            }
            cur = line + 1;
            return new YamlNode.Scalar(unquote(p, close), true, line + 1, p - lineStarts[line] + 1);
        }
        checkPlainStart(p);
        int q = p;
        while (q < end && !(text.charAt(q) == '#' && text.charAt(q - 1) == ' '))
        {
            q++;
        }
        final String value = text.substring(p, q).trim();
        final int colon = plainKeyColon(p, p + value.length());
        if (colon >= 0)
        {
            throw error(colon, "a nested mapping must start on its own, more indented line");
        }
        cur = line + 1;
        return new YamlNode.Scalar(value, false, line + 1, p - lineStarts[line] + 1);
    }

    private void checkPlainStart(final int p) throws ConfigException
    {
        final char c = text.charAt(p);
        switch (c)
        {
            case '&':
                throw error(p, "anchors ('&') are not supported");
            case '*':
                throw error(p, "'*' starts an alias, which is not supported; quote a wildcard hostname: \"*.example.com\"");
            case '!':
                throw error(p, "tags ('!') are not supported");
            case '|':
            case '>':
                throw error(p, "block scalars ('" + c + "') are not supported; write the value on one line");
            case '?':
                throw error(p, "complex keys ('?') are not supported");
            case '@':
            case '`':
                throw error(p, "'" + c + "' cannot start a plain value; quote it");
            case '%':
                throw error(p, "'%' cannot start a plain value; quote it");
            default:
                break;
        }
    }

    /** {@code [v6]:port} written plainly: an address, not a flow sequence. */
    private boolean isBracketedHostPort(final int p, final int end)
    {
        int q = p + 1;
        while (q < end && (Character.digit(text.charAt(q), 16) >= 0 || text.charAt(q) == ':' || text.charAt(q) == '.'))
        {
            q++;
        }
        if (q == p + 1 || end - q < 3 || text.charAt(q) != ']' || text.charAt(q + 1) != ':')
        {
            return false;
        }
        return Character.isDigit(text.charAt(q + 2));
    }

    private YamlNode parseFlow(final int[] cursor, final boolean insideFlow) throws ConfigException
    {
        skipFlowSpace(cursor);
        final int p = cursor[0];
        if (p >= text.length())
        {
            throw error(p, "unexpected end of file inside a flow collection");
        }
        final char c = text.charAt(p);
        final int line = lineOf(p);
        final int column = p - lineStarts[line] + 1;
        if (c == '[' && !isBracketedHostPort(p, lineEnds[line]))
        {
            cursor[0]++;
            final List<YamlNode> items = new ArrayList<>();
            while (true)
            {
                skipFlowSpace(cursor);
                if (cursor[0] >= text.length())
                {
                    throw error(text.length(), "unexpected end of file inside the list opened at line " + (line + 1)
                        + ", column " + column);
                }
                if (text.charAt(cursor[0]) == ']')
                {
                    cursor[0]++;
                    return new YamlNode.Sequence(items, line + 1, column);
                }
                items.add(parseFlow(cursor, true));
                skipFlowSpace(cursor);
                if (cursor[0] < text.length() && text.charAt(cursor[0]) == ',')
                {
                    cursor[0]++;
                    continue;
                }
                if (cursor[0] < text.length() && text.charAt(cursor[0]) == ']')
                {
                    continue;
                }
                if (cursor[0] >= text.length())
                {
                    throw error(text.length(), "unexpected end of file inside the list opened at line " + (line + 1)
                        + ", column " + column);
                }
                throw error(cursor[0], "expected ',' or ']' in the list opened at line " + (line + 1)
                    + ", column " + column);
            }
        }
        if (c == '{')
        {
            cursor[0]++;
            final List<YamlNode.Entry> entries = new ArrayList<>();
            final Set<String> keys = new HashSet<>();
            while (true)
            {
                skipFlowSpace(cursor);
                if (cursor[0] >= text.length())
                {
                    throw error(text.length(), "unexpected end of file inside the mapping opened at line " + (line + 1)
                        + ", column " + column);
                }
                if (text.charAt(cursor[0]) == '}')
                {
                    cursor[0]++;
                    return new YamlNode.Mapping(entries, line + 1, column);
                }
                final int keyAt = cursor[0];
                final YamlNode keyNode = parseFlowScalar(cursor, true);
                if (!(keyNode instanceof YamlNode.Scalar key) || key.value().isEmpty())
                {
                    throw error(keyAt, "expected a key in the mapping opened at line " + (line + 1) + ", column " + column);
                }
                if (!keys.add(key.value()))
                {
                    throw error(keyAt, "duplicate key '" + key.value() + "'");
                }
                skipFlowSpace(cursor);
                if (cursor[0] >= text.length() || text.charAt(cursor[0]) != ':')
                {
                    throw error(Math.min(cursor[0], text.length()), "expected ':' after the key '" + key.value() + "'");
                }
                cursor[0]++;
                skipFlowSpace(cursor);
                final YamlNode value;
                if (cursor[0] < text.length() && (text.charAt(cursor[0]) == ',' || text.charAt(cursor[0]) == '}'))
                {
                    value = new YamlNode.Scalar("", false, key.line(), key.column());
                }
                else
                {
                    value = parseFlow(cursor, true);
                }
                entries.add(new YamlNode.Entry(key, value));
                skipFlowSpace(cursor);
                if (cursor[0] < text.length() && text.charAt(cursor[0]) == ',')
                {
                    cursor[0]++;
                    continue;
                }
                if (cursor[0] < text.length() && text.charAt(cursor[0]) == '}')
                {
                    continue;
                }
                if (cursor[0] >= text.length())
                {
                    throw error(text.length(), "unexpected end of file inside the mapping opened at line " + (line + 1)
                        + ", column " + column);
                }
                throw error(cursor[0], "expected ',' or '}' in the mapping opened at line " + (line + 1)
                    + ", column " + column);
            }
        }
        return parseFlowScalar(cursor, false);
    }

    private YamlNode parseFlowScalar(final int[] cursor, final boolean key) throws ConfigException
    {
        final int p = cursor[0];
        if (p >= text.length())
        {
            throw error(p, "unexpected end of file inside a flow collection");
        }
        final int line = lineOf(p);
        final int end = lineEnds[line];
        final char c = text.charAt(p);
        final int column = p - lineStarts[line] + 1;
        if (c == '"' || c == '\'')
        {
            final int close = quotedEnd(p, end);
            if (close < 0)
            {
                throw error(p, "a quoted string must end on the line it starts on");
            }
            cursor[0] = close;
            return new YamlNode.Scalar(unquote(p, close), true, line + 1, column);
        }
        if (c == '{' || (c == '[' && !isBracketedHostPort(p, end)))
        {
            throw error(p, "a flow collection cannot be a key");
        }
        if (c == ',' || c == ']' || c == '}' || c == ':')
        {
            throw error(p, "expected a value before '" + c + "'");
        }
        checkPlainStart(p);
        int q = c == '[' ? text.indexOf(']', p) + 1 : p;
        while (q < end)
        {
            final char ch = text.charAt(q);
            if (ch == ',' || ch == '}' || ch == ']')
            {
                break;
            }
            if (ch == '#' && text.charAt(q - 1) == ' ')
            {
                break;
            }
            if (ch == ':' && (q + 1 == end || text.charAt(q + 1) == ' ' || text.charAt(q + 1) == ',' || text.charAt(q + 1) == '}'
                || text.charAt(q + 1) == ']'))
            {
                if (key)
                {
                    break;
                }
                throw error(q, "'key: value' inside a list must be written as a mapping: {key: value}");
            }
            q++;
        }
        cursor[0] = q;
        return new YamlNode.Scalar(text.substring(p, q).trim(), false, line + 1, column);
    }

    private void skipFlowSpace(final int[] cursor) throws ConfigException
    {
        int p = cursor[0];
        while (p < text.length())
        {
            final char ch = text.charAt(p);
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
            {
                p++;
            }
            else if (ch == '#' && (p == 0 || Character.isWhitespace(text.charAt(p - 1))))
            {
                while (p < text.length() && text.charAt(p) != '\n')
                {
                    p++;
                }
            }
            else
            {
                break;
            }
        }
        if (p < text.length() && lineOf(p) >= lineCount)
        {
            throw error(p, "unexpected end of document inside a flow collection");
        }
        cursor[0] = p;
    }

    private String unquote(final int open, final int closeExclusive) throws ConfigException
    {
        final char quote = text.charAt(open);
        final StringBuilder out = new StringBuilder(closeExclusive - open);
        int p = open + 1;
        final int last = closeExclusive - 1;
        while (p < last)
        {
            final char ch = text.charAt(p);
            if (quote == '\'' && ch == '\'')
            {
                out.append('\'');
                p += 2;
                continue;
            }
            if (quote == '"' && ch == '\\')
            {
                final char e = text.charAt(p + 1);
                switch (e)
                {
                    case '"', '\\', '/' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case '0' -> out.append('\0');
                    case ' ' -> out.append(' ');
                    case 'x', 'u', 'U' ->
                    {
                        final int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                        if (last - (p + 2) < digits)
                        {
                            throw error(p, "'\\" + e + "' needs " + digits + " hex digits");
                        }
                        final int code;
                        try
                        {
                            code = Integer.parseInt(text.substring(p + 2, p + 2 + digits), 16);
                        }
                        catch (final NumberFormatException ex)
                        {
                            throw error(p, "'\\" + e + "' needs " + digits + " hex digits");
                        }
                        if (!Character.isValidCodePoint(code))
                        {
                            throw error(p, "not a valid code point");
                        }
                        out.appendCodePoint(code);
                        p += 2 + digits;
                        continue;
                    }
                    default -> throw error(p, "unknown escape '\\" + e + "'");
                }
                p += 2;
                continue;
            }
            out.append(ch);
            p++;
        }
        return out.toString();
    }

    private int lineOf(final int offset)
    {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private ConfigException error(final int offset, final String problem)
    {
        final int line = lineOf(offset);
        return new ConfigException(file, line + 1, offset - lineStarts[line] + 1, problem);
    }
}
