package io.gatehouse.router.policy;

import io.gatehouse.router.config.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * An allow list and a deny list of source blocks; deny wins, an empty allow list allows all.
 * Immutable, thread-safe; a check allocates nothing for IPv4.
 */
public final class SourceFilter
{
    private static final SourceFilter OPEN = new SourceFilter(CidrSet.empty(), CidrSet.empty());

    private final CidrSet allow;
    private final CidrSet deny;

    private SourceFilter(final CidrSet allow, final CidrSet deny)
    {
        this.allow = allow;
        this.deny = deny;
    }

    public static SourceFilter of(final List<Cidr> allow, final List<Cidr> deny)
    {
        if (allow.isEmpty() && deny.isEmpty())
        {
            return OPEN;
        }
        return new SourceFilter(CidrSet.of(allow), CidrSet.of(deny));
    }

    /** Lets every source in. */
    public static SourceFilter open()
    {
        return OPEN;
    }

    public boolean isOpen()
    {
        return allow.isEmpty() && deny.isEmpty();
    }

    /** {@link RejectReason#NONE}, {@link RejectReason#SOURCE_DENIED} or {@link RejectReason#SOURCE_NOT_ALLOWED}. */
    public RejectReason check(final InetAddress source)
    {
        if (!deny.isEmpty() && deny.contains(source))
        {
            return RejectReason.SOURCE_DENIED;
        }
        if (!allow.isEmpty() && !allow.contains(source))
        {
            return RejectReason.SOURCE_NOT_ALLOWED;
        }
        return RejectReason.NONE;
    }
}
