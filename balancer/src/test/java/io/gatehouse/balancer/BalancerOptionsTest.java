package io.gatehouse.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BalancerOptionsTest
{
    @Test
    void shouldOfferOnlyPrimeTableSizes()
    {
        for (final int size : BalancerOptions.MAGLEV_TABLE_SIZES)
        {
            assertTrue(BigInteger.valueOf(size).isProbablePrime(64), size + " is not prime");
            assertEquals(size, BalancerOptions.defaults().withMaglevTableSize(size).maglevTableSize());
        }
        assertEquals(65_537, BalancerOptions.defaults().maglevTableSize());
        assertEquals(65_537, BalancerOptions.maglevTableSizeFor(100));
        assertEquals(16_777_259, BalancerOptions.maglevTableSizeFor(1_000_000));
    }

    @Test
    void shouldRejectBadSizes()
    {
        final BalancerOptions options = BalancerOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> options.withMaglevTableSize(65_536));
        assertThrows(IllegalArgumentException.class, () -> options.withMaglevTableSize(1));
        assertThrows(IllegalArgumentException.class, () -> options.withRingSize(0, 10));
        assertThrows(IllegalArgumentException.class, () -> options.withRingSize(100, 10));
        assertThrows(NullPointerException.class, () -> options.withRebuildExecutor(null));
    }

    @Test
    void shouldRejectBadBackends()
    {
        assertThrows(IllegalArgumentException.class, () -> new Backend("", 1));
        assertThrows(IllegalArgumentException.class, () -> new Backend(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new Backend("a:1", 0));
        assertThrows(IllegalArgumentException.class, () -> new Backend("a:1", 1001));
        assertEquals(1000, new Backend("a:1", 1000).weight());
    }
}
