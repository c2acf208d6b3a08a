package io.gatehouse.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code admin:} keys: the token file and the warning for an open, unauthenticated admin address. */
class AdminConfigTest
{
    private static final String LISTENER =
        "listeners:\n  - address: 127.0.0.1:8446\n    routes: [{hostnames: [a.test], backends: [127.0.0.1:1]}]\n";

    private static ConfigLoader.Loaded load(final String admin) throws ConfigException
    {
        return ConfigLoader.parseWithWarnings(LISTENER + admin, Path.of("/etc/gatehouse/gh.yaml"));
    }

    @Test
    void shouldWarnWhenTheAdminAddressIsNotLoopbackAndNoTokenIsSet() throws ConfigException
    {
        final List<String> warnings = load("admin:\n  address: 0.0.0.0:9901\n").warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("/etc/gatehouse/gh.yaml:5:12: warning: the admin address 0.0.0.0:9901 is not"
            + " loopback and no admin.token_file is set"), warnings.get(0));
        assertTrue(load("admin:\n  address: 0.0.0.0:9901\n  token_file: admin.token\n").warnings().isEmpty());
        assertTrue(load("admin:\n  address: 127.0.0.2:9901\n").warnings().isEmpty());
        assertTrue(load("admin:\n  address: \"[::1]:9901\"\n").warnings().isEmpty());
        assertTrue(load("admin: {}\n").warnings().isEmpty(), "the default address is loopback");
    }

    @Test
    void shouldResolveARelativeTokenFileAgainstTheConfigDirectory() throws ConfigException
    {
        final AdminConfig admin = load("admin:\n  address: 127.0.0.1:9901\n  token_file: admin.token\n").config().admin();
        assertEquals(Path.of("/etc/gatehouse/admin.token"), admin.tokenPath(Path.of("/etc/gatehouse/gh.yaml")));
        assertEquals(Path.of("/run/t"), new AdminConfig(admin.address(), "/run/t").tokenPath(Path.of("/etc/gatehouse/gh.yaml")));
        assertNull(new AdminConfig(admin.address()).tokenPath(Path.of("/etc/gh.yaml")));
    }

    @Test
    void shouldTellLoopbackAddresses()
    {
        assertTrue(AdminConfig.isLoopback("127.0.0.1"));
        assertTrue(AdminConfig.isLoopback("127.9.9.9"));
        assertTrue(AdminConfig.isLoopback("::1"));
        assertTrue(AdminConfig.isLoopback("LocalHost"));
        assertFalse(AdminConfig.isLoopback("0.0.0.0"));
        assertFalse(AdminConfig.isLoopback("::"));
        assertFalse(AdminConfig.isLoopback("192.0.2.1"));
        assertFalse(AdminConfig.isLoopback("admin.example"));
    }
}
