package io.gatehouse.balancer;

class RoundRobinPoolTest extends BackendPoolContractTest
{
    @Override
    Algorithm algorithm()
    {
        return Algorithm.ROUND_ROBIN;
    }

    @Override
    double maxDisruptionFactor()
    {
        return Double.NaN;
    }

    @Override
    double weightTolerance()
    {
        return 0.0001;
    }
}
