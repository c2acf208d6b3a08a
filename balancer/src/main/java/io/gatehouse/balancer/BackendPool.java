package io.gatehouse.balancer;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The backends of one route and how one is picked for a new connection.
 * <p>
 * Threads: {@link #pick(long, int)}, {@link #isUp(int)}, {@link #healthyCount()} and the connection
 * callbacks run on any event loop, concurrently. {@link #markDown(int)} and {@link #markUp(int)} run on a
 * control thread; they serialise on a lock among themselves, never against a pick.
 * <p>
 * Allocation and locking: a pick reads one volatile reference (the published {@link PoolState}) and plain
 * arrays; it takes no lock, does no CAS and allocates nothing. Round robin adds one atomic add to a shared
 * counter; power of two choices reads two shared counters, which the connection callbacks move by one
 * atomic add each.
 * <p>
 * Health: {@code markDown} publishes the new health at once (one volatile write) with the old table, then
 * has the table rebuilt without the down backend on the options' rebuild executor (by default the calling
 * thread) and publishes it (another volatile write). Between the two, a first choice that lands on the down
 * backend moves on to the first backend of the rendezvous order for the hash: see {@link #pick(long, int)}.
 * <p>
 * Operator control: {@link #setAccepting(int, boolean)} (drain or disable: no new connections) and
 * {@link #setWeight(int, int)} work the same way. A backend is <em>up</em>, a candidate for new connections,
 * while it is healthy and accepting; health and the operator's choice are kept apart, so a health check
 * bringing a drained backend back does not undo the drain. A weight change publishes a new backend set and
 * rebuilds the table off the pickers, like health does.
 */
public final class BackendPool
{
    /** What {@link #pick(long, int)} returns when no healthy backend is left for the attempt. */
    public static final int NO_BACKEND = -1;

    private final Algorithm algorithm;
    private final BalancerOptions options;
    /** {@code options} with the scaled sizes fixed from the backends given to {@code create}. */
    private final BalancerOptions tableOptions;
    private final AtomicLong rotation = new AtomicLong();
    private final AtomicLongArray active;
    private final Object healthLock = new Object();
    private volatile PoolState state;

    private BackendPool(final Algorithm algorithm, final List<Backend> backends, final BalancerOptions options)
    {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.options = Objects.requireNonNull(options, "options");
        final BackendSet set = new BackendSet(List.copyOf(Objects.requireNonNull(backends, "backends")));
        this.tableOptions = options.resolvedFor(List.of(set.backends));
        this.active = new AtomicLongArray(set.size());
        final boolean[] up = new boolean[set.size()];
        Arrays.fill(up, true);
        final int[] healthy = set.healthyInCanonicalOrder(up);
        this.state = new PoolState(0, set, up.clone(), up.clone(), up, healthy, buildTable(set, healthy), 0);
    }

    /**
     * A pool with the default options.
     *
     * @param algorithm how to pick.
     * @param backends  in the route's order; ids unique; may be empty.
     * @return the pool, every backend up.
     * @throws IllegalArgumentException on a duplicate id.
     */
    public static BackendPool create(final Algorithm algorithm, final List<Backend> backends)
    {
        return new BackendPool(algorithm, backends, BalancerOptions.defaults());
    }

    /**
     * A pool with chosen options.
     *
     * @param algorithm how to pick.
     * @param backends  in the route's order; ids unique; may be empty.
     * @param options   table sizes and the rebuild executor.
     * @return the pool, every backend up.
     * @throws IllegalArgumentException on a duplicate id.
     */
    public static BackendPool create(
        final Algorithm algorithm, final List<Backend> backends, final BalancerOptions options)
    {
        return new BackendPool(algorithm, backends, options);
    }

    /**
     * The backend for a connection on one attempt. Attempt 0 is the algorithm's choice: Maglev's slot, the
     * ring's next point, the rotation's next entry, the lighter of two candidates. Attempts 1, 2, ... give
     * backends not given by an earlier attempt of the same hash, in a deterministic order: the rendezvous
     * order of the hash over the healthy backends ({@code Hash.mix(hash, hash(id))}, highest first; over a
     * hash-chosen window of 64 when more are healthy, see {@link RendezvousOrder}), leaving out the first
     * choice. When the first choice is down but its table not yet rebuilt, attempt 0 is the
     * first of that order and attempt {@code a} its {@code a}-th. For {@link Algorithm#ROUND_ROBIN} and
     * {@link Algorithm#LEAST_CONN_P2C} attempt 0 depends on shared counters, so attempt {@code a >= 1} is
     * entry {@code a - 1} of the rendezvous order for {@code a} up to {@link #healthyCount()}: it may repeat
     * attempt 0's backend, but every healthy backend is reached; mark a backend that failed to connect down
     * to keep it out of every later answer.
     *
     * @param hash    the connection's key (see {@link Hash}).
     * @param attempt 0 for the first try, then 1, 2, ...
     * @return an index into {@link #backends()}, or {@link #NO_BACKEND} when {@code attempt} is negative or
     *     at least {@link #healthyCount()} (more than it for round robin and power of two choices).
     */
    public int pick(final long hash, final int attempt)
    {
        final PoolState state = this.state;
        final BackendSet set = state.set;
        if (attempt == 0)
        {
            final int first = state.table.first(hash, state);
            if (first >= 0 && state.up[first])
            {
                return first;
            }
            return RendezvousOrder.select(hash, 0, NO_BACKEND, state.healthy, set);
        }
        final int[] healthy = state.healthy;
        if (!algorithm.isConsistent())
        {
            // Attempt 0 came from shared counters and may be any healthy backend, so the retries walk the
            // whole rendezvous order: a dead first choice always leaves every other backend reachable. With
            // one healthy backend a retry could only repeat attempt 0.
            return attempt > 0 && attempt <= healthy.length && healthy.length > 1
                ? RendezvousOrder.select(hash, attempt - 1, NO_BACKEND, healthy, set)
                : NO_BACKEND;
        }
        if (attempt <= 0 || attempt >= healthy.length)
        {
            return NO_BACKEND;
        }
        final int first = state.table.first(hash, state);
        if (first >= 0 && state.up[first])
        {
            return RendezvousOrder.select(hash, attempt - 1, first, healthy, set);
        }
        return RendezvousOrder.select(hash, attempt, NO_BACKEND, healthy, set);
    }

    public Algorithm algorithm()
    {
        return algorithm;
    }

    /**
     * @return the options given to {@code create}; a size may be {@link BalancerOptions#SCALED}.
     */
    public BalancerOptions options()
    {
        return options;
    }

    /**
     * The options this pool builds its tables with: those given to {@code create}, with every scaled size fixed
     * from the backends given to {@code create} (their ids and weights, not their health). Health changes and
     * weight changes keep these sizes; a pool created with these options and any backends builds at the same
     * sizes, so after a rebuild it answers as this one.
     *
     * @return options with no {@link BalancerOptions#SCALED} size.
     */
    public BalancerOptions tableOptions()
    {
        return tableOptions;
    }

    /**
     * @return how many backends the pool holds, up or down.
     */
    public int size()
    {
        return state.set.size();
    }

    /**
     * @param index into {@link #backends()}.
     * @return the backend at that index.
     */
    public Backend backend(final int index)
    {
        return state.set.backends[index];
    }

    /**
     * @return the backends, in the order given to {@code create}, with their weights now; immutable.
     */
    public List<Backend> backends()
    {
        return List.of(state.set.backends);
    }

    /**
     * @param index into {@link #backends()}.
     * @return true while the backend is a candidate for new connections: healthy and accepting.
     */
    public boolean isUp(final int index)
    {
        return state.up[index];
    }

    /**
     * @param index into {@link #backends()}.
     * @return true unless health checks or passive ejection marked the backend down.
     */
    public boolean isHealthy(final int index)
    {
        return state.health[index];
    }

    /**
     * @param index into {@link #backends()}.
     * @return true unless the operator drained or disabled the backend.
     */
    public boolean isAccepting(final int index)
    {
        return state.accepting[index];
    }

    /**
     * The operator takes a backend out of new connections ({@code false}: drain or disable) or puts it back.
     * Connections already open are not touched here. Control thread.
     *
     * @param index into {@link #backends()}.
     */
    public void setAccepting(final int index, final boolean accepting)
    {
        update(index, null, accepting, 0);
    }

    /**
     * Gives a backend a new weight; the table is rebuilt with it. Control thread.
     *
     * @param index  into {@link #backends()}.
     * @param weight {@link Backend#MIN_WEIGHT} to {@link Backend#MAX_WEIGHT}.
     * @throws IllegalArgumentException for a weight out of range.
     */
    public void setWeight(final int index, final int weight)
    {
        if (weight < Backend.MIN_WEIGHT || weight > Backend.MAX_WEIGHT)
        {
            throw new IllegalArgumentException(
                "weight must be " + Backend.MIN_WEIGHT + ".." + Backend.MAX_WEIGHT + ", not " + weight);
        }
        update(index, null, null, weight);
    }

    /**
     * @return how many backends are up.
     */
    public int healthyCount()
    {
        return state.healthy.length;
    }

    /**
     * Takes a backend out of every answer at once and rebuilds the table without it. Control thread.
     *
     * @param index into {@link #backends()}.
     */
    public void markDown(final int index)
    {
        update(index, false, null, 0);
    }

    /**
     * Puts a backend back: it is a candidate for moves at once and gets its own table share once the
     * rebuild is published. Control thread.
     *
     * @param index into {@link #backends()}.
     */
    public void markUp(final int index)
    {
        update(index, true, null, 0);
    }

    /**
     * Counts a connection opened to a backend (power of two choices reads these). Any thread.
     *
     * @param index into {@link #backends()}.
     */
    public void onConnectionOpened(final int index)
    {
        active.getAndIncrement(index);
    }

    /**
     * Counts a connection to a backend closed. Any thread.
     *
     * @param index into {@link #backends()}.
     */
    public void onConnectionClosed(final int index)
    {
        active.getAndDecrement(index);
    }

    /**
     * @param index into {@link #backends()}.
     * @return open connections as counted by the callbacks.
     */
    public long activeConnections(final int index)
    {
        return active.get(index);
    }

    /**
     * @return true when the published table was built for the published health (no rebuild pending).
     */
    public boolean isTableCurrent()
    {
        final PoolState state = this.state;
        return state.tableGeneration == state.generation;
    }

    /**
     * The share of first choices each backend owns in the published table, for uniform hashes: exact for
     * Maglev (slots), ring hash (arcs) and round robin (rotation entries); for power of two choices the
     * share of candidate draws. Control path: allocates.
     *
     * @return one fraction per index of {@link #backends()}.
     */
    public double[] hashShares()
    {
        final PoolState state = this.state;
        return state.table.shares(state.set.size());
    }

    PoolState state()
    {
        return state;
    }

    /** One change of health ({@code health != null}), acceptance or weight ({@code weight > 0}), published. */
    private void update(final int index, final Boolean health, final Boolean accepting, final int weight)
    {
        synchronized (healthLock)
        {
            final PoolState current = state;
            Objects.checkIndex(index, current.set.size());
            final boolean[] nextHealth = current.health.clone();
            final boolean[] nextAccepting = current.accepting.clone();
            if (health != null)
            {
                nextHealth[index] = health;
            }
            if (accepting != null)
            {
                nextAccepting[index] = accepting;
            }
            BackendSet nextSet = current.set;
            if (weight > 0 && current.set.weight[index] != weight)
            {
                final Backend[] list = current.set.backends.clone();
                list[index] = new Backend(list[index].id(), weight);
                nextSet = new BackendSet(List.of(list));
            }
            final boolean[] nextUp = new boolean[nextHealth.length];
            for (int i = 0; i < nextUp.length; i++)
            {
                nextUp[i] = nextHealth[i] && nextAccepting[i];
            }
            if (nextSet == current.set && Arrays.equals(nextUp, current.up) && Arrays.equals(nextHealth, current.health)
                && Arrays.equals(nextAccepting, current.accepting))
            {
                return;
            }
            final boolean rebuild = nextSet != current.set || !Arrays.equals(nextUp, current.up);
            state = new PoolState(
                rebuild ? current.generation + 1 : current.generation,
                nextSet,
                nextHealth,
                nextAccepting,
                nextUp,
                nextSet.healthyInCanonicalOrder(nextUp),
                current.table,
                current.tableGeneration);
            if (!rebuild)
            {
                return;
            }
        }
        options.rebuildExecutor().execute(this::rebuild);
    }

    private void rebuild()
    {
        final PoolState target = state;
        if (target.tableGeneration == target.generation)
        {
            return;
        }
        final BackendTable table = buildTable(target.set, target.healthy);
        synchronized (healthLock)
        {
            final PoolState current = state;
            if (current.generation == target.generation)
            {
                state = new PoolState(current.generation, current.set, current.health, current.accepting, current.up,
                    current.healthy, table, current.generation);
            }
        }
    }

    private BackendTable buildTable(final BackendSet set, final int[] healthy)
    {
        if (healthy.length == 1 && algorithm == Algorithm.MAGLEV)
        {
            // One healthy backend: every hash picks it, so a one-slot table answers as a full one would,
            // without its full size (65,537 entries, 256 KiB, before sizes scaled: 10,000 single-backend
            // routes held 2.6 GB).
            return MaglevTable.build(set, healthy, 1);
        }
        switch (algorithm)
        {
            case MAGLEV:
                return MaglevTable.build(set, healthy, tableOptions.maglevTableSize());
            case RING_HASH:
                return RingHashTable.build(set, healthy, tableOptions.ringMinSize(), tableOptions.ringMaxSize());
            case ROUND_ROBIN:
                return RotationTable.build(set, healthy, rotation);
            case LEAST_CONN_P2C:
                return TwoChoicesTable.build(set, healthy, active);
            default:
                throw new IllegalStateException("unknown algorithm " + algorithm);
        }
    }

    @Override
    public String toString()
    {
        return "BackendPool{" + algorithm + ", size=" + size() + ", healthy=" + healthyCount() + "}";
    }
}
