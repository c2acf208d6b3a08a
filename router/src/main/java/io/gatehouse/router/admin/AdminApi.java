package io.gatehouse.router.admin;

import io.gatehouse.router.metrics.MetricsRegistry;

import io.gatehouse.router.route.BackendOverrides;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The admin endpoints, from a request's method and URI to an {@link AdminResponse}. Reads ({@code /metrics},
 * {@code /healthz}, {@code /ready}, {@code /config}) answer at once on the admin event loop; changes
 * ({@code POST /reload}, {@code POST /backends/...}) run on the work executor, one at a time, and the future
 * completes there. Never blocks the caller. Control path; allocates freely.
 */
final class AdminApi
{
    private static final String PATHS =
        "GET /metrics, GET /healthz, GET /ready, GET /config, POST /reload, POST /backends/{listener}/{route}/{address}";

    private final MetricsRegistry metrics;
    private final ReloadAction reload;
    private final Readiness readiness;
    private final Supplier<String> config;
    private final BackendControl backends;
    private final Executor work;

    AdminApi(
        final MetricsRegistry metrics, final ReloadAction reload, final Readiness readiness, final Supplier<String> config,
        final BackendControl backends, final Executor work)
    {
        this.metrics = metrics;
        this.reload = reload;
        this.readiness = readiness;
        this.config = config;
        this.backends = backends;
        this.work = work;
    }

    /** Answers one request; {@code accept} is its {@code Accept} header or {@code null}. */
    CompletableFuture<AdminResponse> handle(final String method, final String uri, final String accept)
    {
        final QueryStringDecoder decoder = new QueryStringDecoder(uri);
        final String path = decoder.rawPath();
        final boolean read = method.equals("GET") || method.equals("HEAD");
        switch (path)
        {
            case "/metrics":
                if (!read)
                {
                    return done(AdminResponse.methodNotAllowed("GET, HEAD"));
                }
                final MetricsRegistry.Scrape scrape = metrics.scrape(accept);
                return done(new AdminResponse(200, scrape.contentType(), scrape.body(), null));
            case "/healthz":
                return done(read ? AdminResponse.text(200, "ok\n") : AdminResponse.methodNotAllowed("GET, HEAD"));
            case "/ready":
                if (!read)
                {
                    return done(AdminResponse.methodNotAllowed("GET, HEAD"));
                }
                final Readiness.State state = readiness.state();
                return done(AdminResponse.text(state == Readiness.State.READY ? 200 : 503,
                    state.name().toLowerCase(Locale.ROOT) + "\n"));
            case "/config":
                if (config == null)
                {
                    return done(AdminResponse.text(404, "config is not served here\n"));
                }
                return done(read ? AdminResponse.json(200, config.get()) : AdminResponse.methodNotAllowed("GET, HEAD"));
            case "/reload":
                if (reload == null)
                {
                    return done(AdminResponse.text(404, "reload is not enabled\n"));
                }
                if (!method.equals("POST"))
                {
                    return done(AdminResponse.methodNotAllowed("POST"));
                }
                return CompletableFuture.supplyAsync(AdminApi.this::reload, work);
            default:
                if (path.startsWith("/backends/"))
                {
                    return backend(method, path, decoder.parameters());
                }
                return done(AdminResponse.text(404, "not found; try " + PATHS + "\n"));
        }
    }

    private AdminResponse reload()
    {
        final ReloadOutcome outcome = reload.reload("POST /reload");
        final int status = switch (outcome.result())
        {
            case APPLIED, UNCHANGED -> 200;
            case INVALID, FAILED -> 422;
        };
        return AdminResponse.text(status, outcome.message() + "\n");
    }

    private CompletableFuture<AdminResponse> backend(final String method, final String path, final Map<String, List<String>> query)
    {
        if (backends == null)
        {
            return done(AdminResponse.text(404, "backend control is not enabled\n"));
        }
        if (!method.equals("POST"))
        {
            return done(AdminResponse.methodNotAllowed("POST"));
        }
        final String[] parts = path.substring("/backends/".length()).split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty())
        {
            return done(AdminResponse.text(404, "use POST /backends/{listener}/{route}/{address}?state=drain|disable|enable"
                + "&weight=N\n"));
        }
        final String listener;
        final String route;
        final String address;
        try
        {
            listener = QueryStringDecoder.decodeComponent(parts[0]);
            route = QueryStringDecoder.decodeComponent(parts[1]);
            address = QueryStringDecoder.decodeComponent(parts[2]);
        }
        catch (final IllegalArgumentException ex)
        {
            return done(AdminResponse.text(400, "bad URL encoding: " + ex.getMessage() + "\n"));
        }
        final BackendOverrides.State state;
        final Integer weight;
        try
        {
            state = state(single(query, "state"));
            weight = weight(single(query, "weight"));
        }
        catch (final IllegalArgumentException ex)
        {
            return done(AdminResponse.text(400, ex.getMessage() + "\n"));
        }
        for (final String key : query.keySet())
        {
            if (!key.equals("state") && !key.equals("weight"))
            {
                return done(AdminResponse.text(400, "unknown parameter '" + key + "'; use state= and/or weight=\n"));
            }
        }
        if (state == null && weight == null)
        {
            return done(AdminResponse.text(400, "give state=drain|disable|enable and/or weight=N\n"));
        }
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                final String json = backends.apply(listener, route, address, state, weight);
                return json == null
                    ? AdminResponse.text(404, "no backend " + address + " in route " + route + " of listener " + listener + "\n")
                    : AdminResponse.json(200, json);
            }
            catch (final IllegalArgumentException ex)
            {
                return AdminResponse.text(400, ex.getMessage() + "\n");
            }
        }, work);
    }

    private static String single(final Map<String, List<String>> query, final String key)
    {
        final List<String> values = query.get(key);
        if (values == null)
        {
            return null;
        }
        if (values.size() != 1)
        {
            throw new IllegalArgumentException("give " + key + "= once");
        }
        return values.get(0);
    }

    private static BackendOverrides.State state(final String text)
    {
        if (text == null)
        {
            return null;
        }
        return switch (text)
        {
            case "drain" -> BackendOverrides.State.DRAINING;
            case "disable" -> BackendOverrides.State.DISABLED;
            case "enable" -> BackendOverrides.State.ENABLED;
            default -> throw new IllegalArgumentException("state must be drain, disable or enable, not '" + text + "'");
        };
    }

    private static Integer weight(final String text)
    {
        if (text == null)
        {
            return null;
        }
        final String range = io.gatehouse.balancer.Backend.MIN_WEIGHT + ".." + io.gatehouse.balancer.Backend.MAX_WEIGHT;
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw new IllegalArgumentException("weight must be a number " + range + ", not '" + text + "'");
        }
        final int value = Integer.parseInt(text);
        if (value < io.gatehouse.balancer.Backend.MIN_WEIGHT || value > io.gatehouse.balancer.Backend.MAX_WEIGHT)
        {
            throw new IllegalArgumentException("weight must be a number " + range + ", not '" + text + "'");
        }
        return value;
    }

    private static CompletableFuture<AdminResponse> done(final AdminResponse response)
    {
        return CompletableFuture.completedFuture(response);
    }
}
