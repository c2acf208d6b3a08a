package io.gatehouse.balancer;

class TwoChoicesPoolTest extends BackendPoolContractTest
{
    @Override
    Algorithm algorithm()
    {
        return Algorithm.LEAST_CONN_P2C;
    }

    @Override
    double maxDisruptionFactor()
    {
        return Double.NaN;
    }

    @Override
    double weightTolerance()
    {
        return 0.05;
    }
}
