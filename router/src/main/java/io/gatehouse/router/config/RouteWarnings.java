package io.gatehouse.router.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The warnings about one listener's routes that are legal but probably not meant, each
 * {@code FILE:LINE:COLUMN: warning: ...} at the hostname it is about:
 *
 * <ul>
 *   <li><b>Coalescing.</b> An exact name and the most specific wildcard that covers it (any depth, the
 *   routing rule of {@link Hostname#wildcardCovers}) go to different backend pools: an HTTP/2 client
 *   holding one certificate for both may send requests for the name down a connection routed by the
 *   wildcard.</li>
 *   <li><b>ALPN shadowing.</b> Every route of a name has an {@code alpn} condition and a less specific
 *   wildcard also covers the name: a client for that name offering none of those protocols goes to the
 *   listener's default, not to the wildcard (routes match the most specific name first, then ALPN, and
 *   never fall back to a less specific name).</li>
 * </ul>
 *
 * <p>Linear in the hostnames: names are indexed by their text and wildcards by their suffix, and each
 * name looks up only its own suffixes (one per label), so 10,000 routes of any kind check in
 * milliseconds ({@code bench-results/config-validation.md}), where comparing every wildcard with every
 * route took seconds. Control thread only; allocates freely; stateless.
 */
public final class RouteWarnings
{
    /** Where a hostname was written in the config. */
    public record Position(int line, int column)
    {
    }

    /** The position of hostname {@code hostname} of route {@code route} (indexes into the listener's lists). */
    @FunctionalInterface
    public interface Locator
    {
        Position at(int route, int hostname);
    }

    private record Site(int route, int hostname)
    {
    }

    private RouteWarnings()
    {
    }

    /**
     * @param file   what the warnings name as the file.
     * @param routes one listener's routes, hostnames normalised ({@link Hostname#normalise}).
     * @param where  the position of each hostname.
     * @return the warnings in file order; empty when there are none.
     */
    public static List<String> check(final String file, final List<RouteConfig> routes, final Locator where)
    {
        final Map<String, List<Site>> byName = new HashMap<>();
        final Map<String, List<Site>> wildcardsBySuffix = new HashMap<>();
        for (int r = 0; r < routes.size(); r++)
        {
            final List<String> hostnames = routes.get(r).hostnames();
            for (int h = 0; h < hostnames.size(); h++)
            {
                final String name = hostnames.get(h);
                final Site site = new Site(r, h);
                byName.computeIfAbsent(name, k -> new ArrayList<>(1)).add(site);
                if (Hostname.isWildcard(name))
                {
                    wildcardsBySuffix.computeIfAbsent(name.substring(1), k -> new ArrayList<>(1)).add(site);
                }
            }
        }
        final List<Set<HostPort>> pools = new ArrayList<>(routes.size());
        for (final RouteConfig route : routes)
        {
            final Set<HostPort> pool = new HashSet<>();
            route.backends().forEach(backend -> pool.add(backend.address()));
            pools.add(pool);
        }

        final List<String> warnings = new ArrayList<>();
        for (int r = 0; r < routes.size(); r++)
        {
            final List<String> hostnames = routes.get(r).hostnames();
            for (int h = 0; h < hostnames.size(); h++)
            {
                final String name = hostnames.get(h);
                final boolean wildcard = Hostname.isWildcard(name);
                final List<Site> covering = nearestCoveringWildcard(name, wildcard, wildcardsBySuffix);
                if (covering == null)
                {
                    continue;
                }
                final Site wildSite = covering.get(0);
                final String wildName = routes.get(wildSite.route()).hostnames().get(wildSite.hostname());
                final int wildLine = where.at(wildSite.route(), wildSite.hostname()).line();
                final List<Site> sameName = byName.get(name);
                if (sameName.get(0).equals(new Site(r, h)) && allHaveAlpn(sameName, routes))
                {
                    warnings.add(warning(file, where.at(r, h), "every route of '" + name + "' has an alpn condition ("
                        + String.join(", ", alpnOf(sameName, routes)) + ") and '" + wildName + "' (line " + wildLine
                        + ") also covers it: a client for '" + name + "' offering none of those goes to the listener's "
                        + "default, not to '" + wildName + "' (the most specific name wins before ALPN is looked at; "
                        + "add a route for '" + name + "' without alpn if the wildcard's backends are meant)"));
                }
                if (wildcard)
                {
                    continue;
                }
                for (final Site other : covering)
                {
                    if (other.route() != r && !pools.get(other.route()).equals(pools.get(r)))
                    {
                        warnings.add(warning(file, where.at(r, h), "'" + name + "' and '" + wildName + "' (line "
                            + where.at(other.route(), other.hostname()).line() + ") go to different backends; an HTTP/2 "
                            + "client holding one certificate for both may send requests for '" + name + "' down a "
                            + "connection routed by '" + wildName + "' (connection coalescing, see README-operations.md)"));
                        break;
                    }
                }
            }
        }
        return warnings;
    }

    /**
     * The sites of the most specific wildcard that covers {@code name} and is less specific than it, or
     * {@code null}: for {@code a.b.test} the suffixes {@code .b.test} then {@code .test}; for a wildcard
     * {@code *.b.test} only {@code .test}.
     */
    private static List<Site> nearestCoveringWildcard(
        final String name, final boolean wildcard, final Map<String, List<Site>> wildcardsBySuffix)
    {
        int dot = name.indexOf('.', wildcard ? 2 : 0);
        while (dot > 0 && dot < name.length() - 1)
        {
            final List<Site> sites = wildcardsBySuffix.get(name.substring(dot));
            if (sites != null)
            {
                return sites;
            }
            dot = name.indexOf('.', dot + 1);
        }
        return null;
    }

    private static boolean allHaveAlpn(final List<Site> sites, final List<RouteConfig> routes)
    {
        for (final Site site : sites)
        {
            if (routes.get(site.route()).alpn().isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    private static List<String> alpnOf(final List<Site> sites, final List<RouteConfig> routes)
    {
        final List<String> alpn = new ArrayList<>();
        for (final Site site : sites)
        {
            for (final String protocol : routes.get(site.route()).alpn())
            {
                if (!alpn.contains(protocol))
                {
                    alpn.add(protocol);
                }
            }
        }
        return alpn;
    }

    private static String warning(final String file, final Position at, final String problem)
    {
        return file + ":" + at.line() + ":" + at.column() + ": warning: " + problem;
    }
}
