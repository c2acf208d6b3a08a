package io.gatehouse.balancer;

class MaglevPoolTest extends BackendPoolContractTest
{
    @Override
    Algorithm algorithm()
    {
        return Algorithm.MAGLEV;
    }

    @Override
    double maxDisruptionFactor()
    {
        return 1.5;
    }

    @Override
    double weightTolerance()
    {
        return 0.02;
    }
}
