package io.gatehouse.router;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package arrows run one way (router/README.md, "Layers"): a router package may use only the
 * packages before it in {@link #LAYERS}, a new package fails until it is placed there, the packages form no
 * cycle, the libraries below the router know neither Netty nor the router, and the router knows none of
 * the modules above it. Main classes only: tests may reach across layers.
 */
class LayeringTest
{
    /** Bottom first; each may use only those before it. Names are packages under io.gatehouse.router ("" is the root). */
    private static final List<String> LAYERS = List.of(
        "config",
        "metrics",
        "proxy",
        "systemd",
        "log",
        "health",
        "policy",
        "loop",
        "route",
        "session",
        "relay",
        "connect",
        "peek",
        "dispatch",
        "sequence",
        "listen",
        "admin",
        "",
        "control");

    private static final ImportOption MAIN_ONLY = new ImportOption.DoNotIncludeTests();
    private static final JavaClasses ROUTER = new ClassFileImporter().withImportOption(MAIN_ONLY).importPackages("io.gatehouse.router");
    private static final JavaClasses LIBRARIES = new ClassFileImporter().withImportOption(MAIN_ONLY)
        .importPackages("io.gatehouse.sni", "io.gatehouse.balancer");

    private static String name(final String layer)
    {
        return layer.isEmpty() ? "router" : layer;
    }

    @Test
    void shouldUseOnlyPackagesBelow()
    {
        LayeredArchitecture architecture = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .ensureAllClassesAreContainedInArchitecture();
        for (final String layer : LAYERS)
        {
            architecture = architecture.layer(name(layer)).definedBy(layer.isEmpty() ? "io.gatehouse.router" : "io.gatehouse.router." + layer + "..");
        }
        for (int i = 0; i < LAYERS.size(); i++)
        {
            final String[] below = LAYERS.subList(0, i).stream().map(LayeringTest::name).toArray(String[]::new);
            architecture = below.length == 0
                ? architecture.whereLayer(name(LAYERS.get(i))).mayNotAccessAnyLayer()
                : architecture.whereLayer(name(LAYERS.get(i))).mayOnlyAccessLayers(below);
        }
        architecture.because("package arrows run one way, bottom first: " + LAYERS.stream().map(LayeringTest::name).toList())
            .check(ROUTER);
    }

    @Test
    void shouldHaveNoPackageCycles()
    {
        slices().matching("io.gatehouse.router.(*)..").should().beFreeOfCycles().check(ROUTER);
    }

    @Test
    void shouldKeepParserAndBalancerFreeOfNettyAndTheRouter()
    {
        noClasses().that().resideInAnyPackage("io.gatehouse.sni..", "io.gatehouse.balancer..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.gatehouse.router..")
            .check(LIBRARIES);
    }

    @Test
    void shouldNotDependOnTheModulesAboveTheRouter()
    {
        noClasses().that().resideInAPackage("io.gatehouse.router..")
            .should().dependOnClassesThat().resideInAnyPackage("io.gatehouse.loadgen..", "io.gatehouse.xds..", "io.gatehouse.cli..")
            .check(ROUTER);
    }
}
