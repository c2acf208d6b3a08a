package io.gatehouse.balancer;

/**
 * One backend of a pool.
 *
 * @param id     stable identity, e.g. {@code "10.0.0.7:443"}: the consistent-hash tables are built from
 *               it, so every router host that names a backend the same way agrees on where a key goes.
 * @param weight relative share of the traffic, {@value #MIN_WEIGHT}..{@value #MAX_WEIGHT}.
 */
public record Backend(String id, int weight)
{
    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;

    public Backend
    {
        if (id == null || id.isEmpty())
        {
            throw new IllegalArgumentException("backend id must not be empty");
        }
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT)
        {
            throw new IllegalArgumentException(
                "backend " + id + ": weight " + weight + " outside " + MIN_WEIGHT + ".." + MAX_WEIGHT);
        }
    }

    /**
     * A backend of weight 1.
     *
     * @param id stable identity.
     * @return the backend.
     */
    public static Backend of(final String id)
    {
        return new Backend(id, 1);
    }
}
