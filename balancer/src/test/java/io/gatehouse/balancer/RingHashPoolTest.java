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

    @Override
    double weightTolerance()
    {
        return 0.05;
    }
}
