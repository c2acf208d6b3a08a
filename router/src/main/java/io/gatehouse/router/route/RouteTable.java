package io.gatehouse.router.route;

import io.gatehouse.sni.FirstFlightParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * One listener's routes: an open-addressing hash table over name bytes. Exact names are stored as
 * written ({@code a.example.test}); a wildcard {@code *.example.test} is stored as its suffix with the
 * leading dot ({@code .example.test}), a key no exact name can equal. A wildcard matches any depth of
 * labels in front of its suffix ({@code x.y.example.test} too), never the bare suffix.
 *
 * <p>Matching is Envoy's filter-chain order: first the most specific server name that the table holds
 * (the exact name, else the longest suffix starting at a dot), then ALPN among the routes of that one
 * name: the routes with an ALPN condition in file order, then the route without one. When none of that
 * name's routes accepts the client's offer the answer is "no route" (the listener's default), never a
 * less specific name: a route's allow/deny cannot be stepped around by offering another protocol, or
 * none, to land on a covering wildcard.
 *
 * <p>Immutable; built on the control thread by {@link Builder}; {@link #lookup} runs on event loops,
 * folds ASCII case on the fly, and allocates nothing.
 */
public final class RouteTable
{
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final byte[][] keys;
    private final Route[][] candidates;
    private final int[] slots;
    private final int mask;
    private final Route defaultRoute;
    private final Route serverFirstRoute;
    private final List<Route> routes;

    private RouteTable(
        final byte[][] keys,
        final Route[][] candidates,
        final Route defaultRoute,
        final Route serverFirstRoute,
        final List<Route> routes)
    {
        this.keys = keys;
        this.candidates = candidates;
        this.defaultRoute = defaultRoute;
        this.serverFirstRoute = serverFirstRoute;
        this.routes = routes;
        int capacity = 4;
        while (capacity < keys.length * 2)
        {
            capacity <<= 1;
        }
        this.slots = new int[capacity];
        this.mask = capacity - 1;
        for (int i = 0; i < keys.length; i++)
        {
            int slot = (int)hash(keys[i], 0, keys[i].length) & mask;
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = i + 1;
        }
    }

    /** The route used for no name or no match, or {@code null} to reject. */
    public Route defaultRoute()
    {
        return defaultRoute;
    }

    /** The route used when the client stays silent for the server-first delay, or {@code null}. */
    public Route serverFirstRoute()
    {
        return serverFirstRoute;
    }

    /** Every route of the table, in file order. */
    public List<Route> routes()
    {
        return routes;
    }

    /**
     * The route for a name: the routes of the most specific name the table holds, the first of them whose
     * ALPN condition the client's offer meets (the route without a condition last), or {@code null} when
     * the table holds no covering name or that name's routes all refuse the offer (the caller then uses
     * {@link #defaultRoute()}). A less specific name is never tried once a more specific one is found.
     *
     * @param name   the name bytes (any ASCII case).
     * @param offset where the name starts.
     * @param length the name's length in bytes.
     * @param offer  the parser holding the client's ALPN offer, or {@code null} for none.
     */
    public Route lookup(final DirectBuffer name, final int offset, final int length, final FirstFlightParser offer)
    {
        final int entry = mostSpecificEntry(name, offset, length);
        return entry < 0 ? null : firstAlpnMatch(candidates[entry], offer);
    }

    /** The index of the most specific key covering the name, or -1. */
    private int mostSpecificEntry(final DirectBuffer name, final int offset, final int length)
    {
        if (length <= 0 || name.getByte(offset) == '.')
        {
            return -1;
        }
        int entry = find(name, offset, length);
        for (int i = offset + 1; entry < 0 && i < offset + length - 1; i++)
        {
            if (name.getByte(i) == '.')
            {
                entry = find(name, i, offset + length - i);
            }
        }
        return entry;
    }

    private int find(final DirectBuffer name, final int offset, final int length)
    {
        long h = FNV_OFFSET;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ lower(name.getByte(offset + i))) * FNV_PRIME;
        }
        int slot = (int)finish(h) & mask;
        while (true)
        {
            final int entry = slots[slot];
            if (entry == 0)
            {
                return -1;
            }
            final byte[] key = keys[entry - 1];
            if (key.length == length && equalsFolded(key, name, offset))
            {
                return entry - 1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static Route firstAlpnMatch(final Route[] routes, final FirstFlightParser offer)
    {
        for (final Route route : routes)
        {
            if (!route.hasAlpnCondition() || offers(route, offer))
            {
                return route;
            }
        }
        return null;
    }

    private static boolean offers(final Route route, final FirstFlightParser offer)
    {
        if (offer == null)
        {
            return false;
        }
        final DirectBuffer alpnBuffer = offer.alpnBuffer();
        for (int i = 0, count = offer.alpnCount(); i < count; i++)
        {
            final int alpnOffset = offer.alpnOffset(i);
            final int alpnLength = offer.alpnLength(i);
            for (int r = 0, wanted = route.alpnCount(); r < wanted; r++)
            {
                final byte[] protocol = route.alpn(r);
                if (protocol.length == alpnLength && equalsExact(protocol, alpnBuffer, alpnOffset))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean equalsFolded(final byte[] key, final DirectBuffer name, final int offset)
    {
        for (int i = 0; i < key.length; i++)
        {
            if (key[i] != lower(name.getByte(offset + i)))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsExact(final byte[] key, final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < key.length; i++)
        {
            if (key[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private static byte lower(final byte b)
    {
        return b >= 'A' && b <= 'Z' ? (byte)(b + ('a' - 'A')) : b;
    }

    private static long hash(final byte[] key, final int offset, final int length)
    {
        long h = FNV_OFFSET;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ lower(key[offset + i])) * FNV_PRIME;
        }
        return finish(h);
    }

    private static long finish(final long h)
    {
        return h ^ (h >>> 29) ^ (h >>> 47);
    }

    /** Collects hostnames and routes on the control thread, then freezes them into a table. */
    public static final class Builder
    {
        private final Map<String, List<Route>> byKey = new LinkedHashMap<>();
        private final Map<String, Route> byId = new LinkedHashMap<>();
        private final Map<String, Route> byHostname = new LinkedHashMap<>();

        /**
         * Adds a route under every one of its hostnames ({@code name} or {@code *.suffix}).
         *
         * @throws IllegalArgumentException for a malformed wildcard, or a second route without an ALPN
         *                                  condition under the same name.
         */
        public Builder add(final List<String> hostnames, final Route route)
        {
            for (final String hostname : hostnames)
            {
                final String key = key(hostname);
                final List<Route> routes = byKey.computeIfAbsent(key, k -> new ArrayList<>());
                if (!route.hasAlpnCondition())
                {
                    for (final Route existing : routes)
                    {
                        if (!existing.hasAlpnCondition())
                        {
                            throw new IllegalArgumentException(
                                "hostname " + hostname + " is claimed by routes " + existing.id() + " and " + route.id());
                        }
                    }
                }
                routes.add(route);
                final String normalised = normalise(hostname);
                final Route named = byHostname.get(normalised);
                if (named == null || (named.hasAlpnCondition() && !route.hasAlpnCondition()))
                {
                    byHostname.put(normalised, route);
                }
            }
            byId.putIfAbsent(route.id(), route);
            return this;
        }

        /**
         * The route that has {@code hostname} among its hostnames (as {@code default:} names one), preferring
         * a route without an ALPN condition, else the route whose id it is (a named route, as xDS makes), or
         * {@code null}.
         */
        public Route route(final String hostname)
        {
            if (hostname == null)
            {
                return null;
            }
            final Route named = byHostname.get(normalise(hostname));
            return named != null ? named : byId.get(hostname);
        }

        private static String normalise(final String hostname)
        {
            final String name = hostname.toLowerCase(Locale.ROOT);
            return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        }

        public RouteTable build(final Route defaultRoute, final Route serverFirstRoute)
        {
            final byte[][] keys = new byte[byKey.size()][];
            final Route[][] candidates = new Route[byKey.size()][];
            int i = 0;
            for (final Map.Entry<String, List<Route>> entry : byKey.entrySet())
            {
                keys[i] = entry.getKey().getBytes(StandardCharsets.US_ASCII);
                final List<Route> ordered = new ArrayList<>();
                for (final Route route : entry.getValue())
                {
                    if (route.hasAlpnCondition())
                    {
                        ordered.add(route);
                    }
                }
                for (final Route route : entry.getValue())
                {
                    if (!route.hasAlpnCondition())
                    {
                        ordered.add(route);
                    }
                }
                candidates[i] = ordered.toArray(new Route[0]);
                i++;
            }
            return new RouteTable(keys, candidates, defaultRoute, serverFirstRoute, List.copyOf(byId.values()));
        }

        private static String key(final String hostname)
        {
            final String name = normalise(hostname);
            if (name.startsWith("*."))
            {
                if (name.length() < 3 || name.indexOf('*', 1) >= 0)
                {
                    throw new IllegalArgumentException("bad wildcard " + hostname);
                }
                return name.substring(1);
            }
            if (name.isEmpty() || name.indexOf('*') >= 0 || name.startsWith("."))
            {
                throw new IllegalArgumentException("bad hostname " + hostname);
            }
            return name;
        }
    }
}
