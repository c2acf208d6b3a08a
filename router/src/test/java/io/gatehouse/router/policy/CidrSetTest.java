package io.gatehouse.router.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatehouse.router.config.Cidr;
import io.gatehouse.router.config.InetLiteral;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CidrSetTest
{
    private static final CidrSet SET = CidrSet.of(List.of(
        Cidr.parse("10.0.0.0/8"), Cidr.parse("10.1.0.0/16"), Cidr.parse("192.168.1.0/24"), Cidr.parse("192.168.2.0/24"),
        Cidr.parse("203.0.113.7"), Cidr.parse("2001:db8::/32"), Cidr.parse("fe80::/10"), Cidr.parse("::1"),
        Cidr.parse("0.0.0.0/32")));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "10.0.0.0, true", "10.255.255.255, true", "11.0.0.0, false", "9.255.255.255, false",
        "192.168.1.200, true", "192.168.2.0, true", "192.168.3.0, false", "203.0.113.7, true", "203.0.113.8, false",
        "0.0.0.0, true", "255.255.255.255, false",
        "2001:db8::1, true", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true", "2001:db9::, false",
        "fe80::1, true", "febf:ffff::1, true", "fec0::, false", "::1, true", "::2, false",
        "::ffff:10.2.3.4, true", "::ffff:11.2.3.4, false",
    })
    void shouldMatchAddressesOfBothFamilies(final String address, final boolean expected) throws Exception
    {
        assertEquals(expected, SET.contains(InetLiteral.parse(address)), address);
        assertEquals(expected, SET.contains(InetAddress.getByName(address)), address);
    }

    @Test
    void shouldMatchEverythingWithZeroPrefixesAndNothingWhenEmpty() throws Exception
    {
        final CidrSet all = CidrSet.of(List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")));
        assertTrue(all.contains(InetAddress.getByName("255.255.255.255")));
        assertTrue(all.contains(InetAddress.getByName("ffff::ffff")));
        assertFalse(CidrSet.empty().contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(CidrSet.empty().isEmpty());
    }

    @ParameterizedTest(name = "{0} holds {1}: {2}")
    @CsvSource({
        "::/0, 127.0.0.1, true", "::/0, ::ffff:127.0.0.1, true", "::/80, 10.1.2.3, true", "::/81, 10.1.2.3, false",
        "::ffff:0:0/96, 203.0.113.9, true", "::ffff:127.0.0.2, 127.0.0.2, true", "::ffff:127.0.0.2, ::ffff:127.0.0.2, true",
        "::ffff:127.0.0.2, 127.0.0.3, false", "::ffff:10.0.0.0/104, 10.9.9.9, true", "::ffff:10.0.0.0/104, 11.0.0.1, false",
        "127.0.0.0/8, ::ffff:127.0.0.5, true", "2001:db8::/32, 127.0.0.1, false", "64:ff9b::/96, 127.0.0.1, false",
        "::/0, 2001:db8::1, true", "0.0.0.0/0, 2001:db8::1, false",
    })
    void shouldApplyOneAddressRuleInEveryListAnIpv4AddressBeingItsMappedForm(
        final String block, final String address, final boolean expected) throws Exception
    {
        final Cidr cidr = Cidr.parse(block);
        final byte[] bytes = InetLiteral.parse(address);
        assertEquals(expected, cidr.contains(bytes), "Cidr.contains (proxy_protocol_from)");
        assertEquals(expected, CidrSet.of(List.of(cidr)).contains(bytes), "CidrSet.contains(byte[])");
        assertEquals(expected, CidrSet.of(List.of(cidr)).contains(InetAddress.getByName(address)), "CidrSet.contains(InetAddress)");
        final SourceFilter deny = SourceFilter.of(List.of(), List.of(cidr));
        assertEquals(expected ? RejectReason.SOURCE_DENIED : RejectReason.NONE, deny.check(InetAddress.getByName(address)));
    }

    @Test
    void shouldStoreAnIpv4MappedBlockAsTheIpv4BlockItNames()
    {
        assertEquals(Cidr.parse("127.0.0.2"), Cidr.parse("::ffff:127.0.0.2"));
        assertEquals("127.0.0.2/32", Cidr.parse("::ffff:127.0.0.2").toString());
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("::ffff:10.0.0.0/104"));
        assertEquals(Cidr.parse("0.0.0.0/0"), Cidr.parse("::ffff:0:0/96"));
        assertEquals(Cidr.parse("10.0.0.0/8"), new Cidr(InetLiteral.parse("::ffff:10.0.0.0"), 104));
        assertEquals(16, Cidr.parse("::/0").address().length);
    }

    @Test
    void shouldAgreeWithTheNaiveMatcherOnSeededRandomBlocks()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            final List<Cidr> cidrs = new ArrayList<>();
            final int count = 1 + random.nextInt(12);
            for (int i = 0; i < count; i++)
            {
                final boolean v6 = random.nextInt(3) == 0;
                final byte[] bytes = new byte[v6 ? 16 : 4];
                random.nextBytes(bytes);
                if (!v6)
                {
                    bytes[0] = (byte)(random.nextInt(4));
                }
                else
                {
                    bytes[0] = 0x20;
                }
                final int prefix = v6 ? random.nextInt(129) : random.nextInt(33);
                for (int bit = prefix; bit < bytes.length * 8; bit++)
                {
                    bytes[bit >>> 3] &= (byte)~(0x80 >>> (bit & 7));
                }
                cidrs.add(new Cidr(bytes, prefix));
            }
            final CidrSet set = CidrSet.of(cidrs);
            for (int probe = 0; probe < 200; probe++)
            {
                final byte[] address;
                if (random.nextBoolean())
                {
                    final Cidr base = cidrs.get(random.nextInt(cidrs.size()));
                    address = base.address().clone();
                    address[address.length - 1] ^= (byte)random.nextInt(4);
                    if (random.nextInt(4) == 0)
                    {
                        address[random.nextInt(address.length)] ^= (byte)(1 << random.nextInt(8));
                    }
                }
                else
                {
                    address = new byte[random.nextInt(3) == 0 ? 16 : 4];
                    random.nextBytes(address);
                    address[0] = (byte)(address.length == 4 ? random.nextInt(4) : 0x20);
                }
                boolean expected = false;
                for (final Cidr cidr : cidrs)
                {
                    expected |= cidr.contains(address);
                }
                assertEquals(expected, set.contains(address), () -> cidrs + " " + java.util.Arrays.toString(address));
            }
        }
    }
}
