package io.gatehouse.router.health;

import io.gatehouse.balancer.BackendPool;

/**
 * Told when a backend's published health changes. Called on the health thread (or, at registration, the
 * caller's), never an event loop; may be slow (a table rebuild).
 */
public interface HealthListener
{
    void markUp(int backendIndex);

    void markDown(int backendIndex);

    /** The balancer's pool: its markUp/markDown republish the table. */
    static HealthListener of(final BackendPool pool)
    {
        return new HealthListener()
        {
            @Override
            public void markUp(final int backendIndex)
            {
                pool.markUp(backendIndex);
            }

            @Override
            public void markDown(final int backendIndex)
            {
                pool.markDown(backendIndex);
            }
        };
    }
}
