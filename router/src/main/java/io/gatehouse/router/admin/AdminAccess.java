package io.gatehouse.router.admin;

import io.gatehouse.router.config.InetLiteral;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

/**
 * Who may use the admin API: the rules that stop a web page in an operator's browser from reading or driving
 * it (cross-site requests, DNS rebinding), and the bearer token for mutating calls.
 *
 * <ol>
 *   <li><b>Host.</b> A request whose {@code Host} names something other than the admin address's own host,
 *       {@code localhost} or an IP literal is refused with 421 on every path, {@code /metrics} included. A
 *       rebinding page reaches the admin port under the attacker's name ({@code Host: evil.example}); an IP
 *       literal cannot be rebound. More than one {@code Host} is refused; none (HTTP/1.0 tools) is allowed.</li>
 *   <li><b>Origin.</b> Any request carrying an {@code Origin} header is refused with 403: browsers send it on
 *       cross-site and scripted requests; Prometheus, curl and {@code gatehouse stat} do not.</li>
 *   <li><b>Token.</b> When {@code admin.token_file} is set, every {@code POST} needs
 *       {@code Authorization: Bearer <the file's content>} (trailing whitespace trimmed), else 401. Reads
 *       ({@code GET}, {@code HEAD}) stay open, as Envoy's and HAProxy's stats pages are.</li>
 * </ol>
 *
 * <p>Checked on the admin event loop; the token is replaced by the control thread on a reload (one volatile
 * write). Compares the token in constant time.
 */
public final class AdminAccess
{
    /** The outcome of the checks for one request. */
    public enum Verdict
    {
        ALLOWED, BAD_HOST, ORIGIN, UNAUTHENTICATED
    }

    /** The longest token file read. */
    public static final int MAX_TOKEN_BYTES = 4096;

    private final String adminHost;
    private volatile byte[] token;

    /**
     * @param adminHost the host of {@code admin.address} as configured (a name or an IP literal).
     * @param token     the bearer token for POST, or {@code null} for none.
     */
    public AdminAccess(final String adminHost, final byte[] token)
    {
        this.adminHost = normaliseHost(adminHost);
        this.token = token == null ? null : token.clone();
    }

    /** No token; the Host and Origin rules for {@code adminHost}. */
    public static AdminAccess open(final String adminHost)
    {
        return new AdminAccess(adminHost, null);
    }

    /**
     * The token in {@code file}: its bytes with trailing whitespace (a final newline) removed.
     *
     * @throws IOException naming the file when it cannot be read, is empty or is larger than {@link #MAX_TOKEN_BYTES}.
     */
    public static byte[] readToken(final Path file) throws IOException
    {
        final byte[] bytes;
        try
        {
            if (Files.size(file) > MAX_TOKEN_BYTES)
            {
                throw new IOException("admin.token_file " + file + ": longer than " + MAX_TOKEN_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            if (ex.getMessage() != null && ex.getMessage().startsWith("admin.token_file"))
            {
                throw ex;
            }
            throw new IOException("admin.token_file " + file + ": cannot read: " + ex, ex);
        }
        final String text = new String(bytes, StandardCharsets.UTF_8).stripTrailing();
        if (text.isEmpty())
        {
            throw new IOException("admin.token_file " + file + ": empty");
        }
        if (text.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))
        {
            throw new IOException("admin.token_file " + file + ": the token must be printable ASCII without spaces");
        }
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Replaces the token ({@code null}: none). Control thread. */
    public void token(final byte[] next)
    {
        token = next == null ? null : next.clone();
    }

    public boolean hasToken()
    {
        return token != null;
    }

    /**
     * Checks one request.
     *
     * @param method        the request method.
     * @param hosts         every {@code Host} header value (empty when none).
     * @param origin        the {@code Origin} header, or {@code null}.
     * @param authorization the {@code Authorization} header, or {@code null}.
     */
    public Verdict check(final String method, final List<String> hosts, final String origin, final String authorization)
    {
        if (hosts.size() > 1 || (hosts.size() == 1 && !hostAllowed(hosts.get(0))))
        {
            return Verdict.BAD_HOST;
        }
        if (origin != null)
        {
            return Verdict.ORIGIN;
        }
        final byte[] expected = token;
        if (expected != null && method.equals("POST") && !bearerMatches(authorization, expected))
        {
            return Verdict.UNAUTHENTICATED;
        }
        return Verdict.ALLOWED;
    }

    /** Whether a {@code Host} header value names this admin endpoint (see the class comment). */
    public boolean hostAllowed(final String hostHeader)
    {
        final String host = hostOf(hostHeader.strip());
        if (host == null)
        {
            return false;
        }
        return host.equals(adminHost) || host.equals("localhost") || InetLiteral.parse(host) != null;
    }

    private static boolean bearerMatches(final String authorization, final byte[] expected)
    {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return false;
        }
        final byte[] offered = authorization.substring(7).strip().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(offered, expected);
    }

    /** The host of {@code host[:port]} or {@code [v6][:port]}, normalised, or {@code null} when malformed. */
    private static String hostOf(final String value)
    {
        if (value.isEmpty())
        {
            return null;
        }
        final String host;
        if (value.charAt(0) == '[')
        {
            final int close = value.indexOf(']');
            if (close < 0 || (close + 1 < value.length() && !validPort(value, close + 1)))
            {
                return null;
            }
            host = value.substring(1, close);
            if (host.indexOf(':') < 0 || InetLiteral.parse(host) == null)
            {
                return null;
            }
        }
        else
        {
            final int colon = value.indexOf(':');
            if (colon >= 0 && (value.indexOf(':', colon + 1) >= 0 || !validPort(value, colon)))
            {
                return null;
            }
            host = colon < 0 ? value : value.substring(0, colon);
        }
        return normaliseHost(host);
    }

    private static boolean validPort(final String value, final int colon)
    {
        if (value.charAt(colon) != ':' || colon + 1 >= value.length() || value.length() - colon - 1 > 5)
        {
            return false;
        }
        for (int i = colon + 1; i < value.length(); i++)
        {
            if (value.charAt(i) < '0' || value.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static String normaliseHost(final String host)
    {
        String out = host.toLowerCase(Locale.ROOT);
        if (out.startsWith("[") && out.endsWith("]"))
        {
            out = out.substring(1, out.length() - 1);
        }
        if (out.endsWith(".") && out.length() > 1)
        {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }
}
