package io.gatehouse.balancer;

class RingHashPoolTest extends BackendPoolContractTest
{
    @Override
    Algorithm algorithm()
    {
        return Algorithm.RING_HASH;
    }

    @Override
    double maxDisruptionFactor()
    {
        return 1.1;
    }

    /** A ring of 16,384 points or more: Envoy's default 1,024 gives the lightest of five backends only 52. */
    @Override
    BalancerOptions options()
    {
        return BalancerOptions.defaults().withRingSize(16_384, BalancerOptions.DEFAULT_RING_MAX_SIZE);
    }

    @Override
    double weightTolerance()
    {
        return 0.05;
    }
}
