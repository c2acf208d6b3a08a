package io.gatehouse.balancer;

/**
 * The deterministic "move on" order of a hash over the healthy backends (caller indices in canonical order,
 * {@code H} of them), leaving out one excluded backend (the first choice, when it is up).
 * <ul>
 *     <li>{@code H <= WINDOW}: every healthy backend ranked by its rendezvous (highest random weight) score
 *     {@code Hash.mix(hash, idHash)}, highest first, unsigned; equal scores rank by id.</li>
 *     <li>{@code H > WINDOW}: a window of {@code WINDOW} consecutive healthy backends (canonical order,
 *     wrapping) starting at {@code reduce(mix(hash, WINDOW_SALT), H)}, ranked by score as above, then the
 *     backends after the window in canonical order. The work per step stays bounded whatever the pool
 *     size.</li>
 * </ul>
 * Every step gives a backend not given before; the order is the same on every host for the same hash and
 * healthy set; a backend going down only moves its own keys.
 * <p>
 * Event loops; no allocation; at most {@code (k + 1) * WINDOW} score computations for entry {@code k}, paid
 * only on a retry or when the first choice is down and its table not yet rebuilt.
 */
final class RendezvousOrder
{
    /** Largest number of backends ranked by score for one hash. */
    static final int WINDOW = 64;

    /** Salt of the window's start. */
    static final long WINDOW_SALT = 0x77696E646F775F31L;

    private RendezvousOrder()
    {
    }

    /**
     * The {@code k}-th (from 0) backend of the order, skipping {@code exclude}.
     *
     * @param hash    the connection's key.
     * @param k       position in the order.
     * @param exclude a caller index left out of the order, or {@link BackendPool#NO_BACKEND}.
     * @param healthy caller indices to rank, canonical order.
     * @param set     ids and ranks.
     * @return a caller index, or {@link BackendPool#NO_BACKEND} when the order is shorter than {@code k + 1}.
     */
    static int select(final long hash, final int k, final int exclude, final int[] healthy, final BackendSet set)
    {
        final int count = healthy.length;
        if (count <= WINDOW)
        {
            return ranked(hash, k, exclude, healthy, 0, count, set);
        }
        final int start = Hash.reduce(Hash.mix(hash, WINDOW_SALT), count);
        int rankedCount = WINDOW;
        for (int i = 0; i < WINDOW; i++)
        {
            if (healthy[wrap(start + i, count)] == exclude)
            {
                rankedCount--;
                break;
            }
        }
        if (k < rankedCount)
        {
            return ranked(hash, k, exclude, healthy, start, WINDOW, set);
        }
        int remaining = k - rankedCount;
        for (int i = WINDOW; i < count; i++)
        {
            final int index = healthy[wrap(start + i, count)];
            if (index != exclude)
            {
                if (remaining == 0)
                {
                    return index;
                }
                remaining--;
            }
        }
        return BackendPool.NO_BACKEND;
    }

    private static int ranked(
        final long hash,
        final int k,
        final int exclude,
        final int[] healthy,
        final int start,
        final int length,
        final BackendSet set)
    {
        final long[] idHash = set.idHash;
        final int[] rank = set.rank;
        final int count = healthy.length;
        long boundScore = 0;
        int boundRank = 0;
        int chosen = BackendPool.NO_BACKEND;
        for (int step = 0; step <= k; step++)
        {
            int best = BackendPool.NO_BACKEND;
            long bestScore = 0;
            int bestRank = 0;
            for (int i = 0; i < length; i++)
            {
                final int index = healthy[wrap(start + i, count)];
                if (index == exclude)
                {
                    continue;
                }
                final long score = Hash.mix(hash, idHash[index]);
                final int candidateRank = rank[index];
                if (step > 0 && !before(boundScore, boundRank, score, candidateRank))
                {
                    continue;
                }
                if (best == BackendPool.NO_BACKEND || before(score, candidateRank, bestScore, bestRank))
                {
                    best = index;
                    bestScore = score;
                    bestRank = candidateRank;
                }
            }
            if (best == BackendPool.NO_BACKEND)
            {
                return BackendPool.NO_BACKEND;
            }
            chosen = best;
            boundScore = bestScore;
            boundRank = bestRank;
        }
        return chosen;
    }

    private static int wrap(final int position, final int count)
    {
        return position >= count ? position - count : position;
    }

    private static boolean before(final long score, final int rank, final long otherScore, final int otherRank)
    {
        final int compared = Long.compareUnsigned(score, otherScore);
        return compared > 0 || (compared == 0 && rank < otherRank);
    }
}
