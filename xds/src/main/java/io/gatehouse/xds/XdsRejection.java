package io.gatehouse.xds;

/**
 * A resource gatehouse cannot honour. Its message is the NACK's {@code error_detail}: the resource's kind
 * and name, the field (as a proto path), and what is wrong, e.g.
 * {@code Listener 'public': filter_chains[1].transport_socket: terminates TLS; gatehouse only passes TLS through}.
 */
public final class XdsRejection extends Exception
{
    private static final long serialVersionUID = 1L;

    public XdsRejection(final String kind, final String name, final String field, final String problem)
    {
        super(kind + " '" + name + "': " + field + ": " + problem, null, false, false);
    }
}
