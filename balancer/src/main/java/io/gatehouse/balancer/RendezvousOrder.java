package io.gatehouse.balancer;

/**
 * The deterministic "move on" order: the healthy backends ranked by rendezvous (highest random weight)
 * score {@code Hash.mix(hash, idHash)}, highest first, unsigned; equal scores rank by backend id. It is the
 * same on every host for the same hash and healthy set, every step gives a backend not given before, and a
 * backend that goes down only moves its own keys.
 * <p>
 * Event loops; no allocation; O((k + 1) * healthy) work, paid only on a retry or when the first choice
 * is down and its table not yet rebuilt.
 */
final class RendezvousOrder
{
    private RendezvousOrder()
    {
    }

    /**
     * The {@code k}-th (from 0) backend of the order, skipping {@code exclude}.
     *
     * @param hash    the connection's key.
     * @param k       position in the order.
     * @param exclude a caller index left out of the order, or {@link BackendPool#NO_BACKEND}.
     * @param healthy caller indices to rank.
     * @param set     ids and ranks.
     * @return a caller index, or {@link BackendPool#NO_BACKEND} when the order is shorter than {@code k + 1}.
     */
    static int select(final long hash, final int k, final int exclude, final int[] healthy, final BackendSet set)
    {
        final long[] idHash = set.idHash;
        final int[] rank = set.rank;
        long boundScore = 0;
        int boundRank = 0;
        int chosen = BackendPool.NO_BACKEND;
        for (int step = 0; step <= k; step++)
        {
            int best = BackendPool.NO_BACKEND;
            long bestScore = 0;
            int bestRank = 0;
            for (final int index : healthy)
            {
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

    private static boolean before(final long score, final int rank, final long otherScore, final int otherRank)
    {
        final int compared = Long.compareUnsigned(score, otherScore);
        return compared > 0 || (compared == 0 && rank < otherRank);
    }
}
