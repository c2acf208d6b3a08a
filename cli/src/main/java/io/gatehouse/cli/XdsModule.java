package io.gatehouse.cli;

import io.gatehouse.router.control.ConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The xds module and its dependencies (gRPC, protobuf, the Envoy API, Guava: 24 jars), loaded by a class
 * loader of their own only when a config holds {@code xds:}. They are not on the launcher's class path: the
 * JVM opens every jar of the class path at start and keeps its central directory on the heap (2.8 MiB for
 * the 55 jars with xds, bench-results/footprint.md), and the data path and the file config never need them.
 *
 * <p>Where the jars are: {@code -Dgatehouse.xds.lib=DIR} (bin/gatehouse sets it: {@code lib/xds/} when
 * installed, {@code cli/target/lib/xds/} in a checkout), else {@code xds/} or {@code lib/xds/} beside the jar
 * this class came from. When the xds module is on the class path already (tests, a flat lib/), that is used.
 *
 * <p>Threads: the main thread ({@code gatehouse run}'s start). The loader lives as long as the process.
 */
final class XdsModule
{
    static final String LIB_PROPERTY = "gatehouse.xds.lib";
    private static final String SOURCE_CLASS = "io.gatehouse.xds.XdsSource";

    private static ConfigSource.Factory loaded;

    private XdsModule()
    {
    }

    /** What {@code gatehouse run} passes to the router: the xDS source for a config with {@code xds:}, else none. */
    static ConfigSource.Factory factory()
    {
        return (file, log) -> file.xds() == null ? null : load().create(file, log);
    }

    /**
     * The xds module's own factory, loading the module the first time.
     *
     * @throws IllegalArgumentException when its jars cannot be found (the message names where it looked).
     */
    static synchronized ConfigSource.Factory load()
    {
        if (loaded == null)
        {
            final ClassLoader loader = classLoader();
            try
            {
                loaded = (ConfigSource.Factory)Class.forName(SOURCE_CLASS, true, loader).getMethod("factory").invoke(null);
            }
            catch (final ClassNotFoundException | NoSuchMethodException | IllegalAccessException ex)
            {
                throw new IllegalArgumentException("xds: the xds module is incomplete (" + ex + ")", ex);
            }
            catch (final InvocationTargetException ex)
            {
                throw new IllegalStateException("xds: the xds module failed to start", ex.getCause());
            }
        }
        return loaded;
    }

    private static ClassLoader classLoader()
    {
        final ClassLoader application = XdsModule.class.getClassLoader();
        if (application.getResource(SOURCE_CLASS.replace('.', '/') + ".class") != null)
        {
            return application;
        }
        final List<Path> candidates = candidates();
        for (final Path dir : candidates)
        {
            final URL[] jars = jarsIn(dir);
            if (jars.length > 0)
            {
                return new URLClassLoader("xds", jars, application);
            }
        }
        throw new IllegalArgumentException("xds: the xds module is not installed (no jars in " + candidates
            + "; -D" + LIB_PROPERTY + "=DIR names its directory)");
    }

    private static List<Path> candidates()
    {
        final List<Path> dirs = new ArrayList<>();
        final String named = System.getProperty(LIB_PROPERTY);
        if (named != null && !named.isEmpty())
        {
            dirs.add(Path.of(named));
            return dirs;
        }
        try
        {
            final Path home = Path.of(XdsModule.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
            dirs.add(home.resolve("xds"));            // installed: lib/gatehouse-cli.jar beside lib/xds/
            dirs.add(home.resolve("lib").resolve("xds")); // checkout: cli/target/gatehouse-cli.jar beside cli/target/lib/xds/
        }
        catch (final URISyntaxException | RuntimeException ex)
        {
            // no code source to look beside: only the property names a directory
        }
        return dirs;
    }

    private static URL[] jarsIn(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return new URL[0];
        }
        try (Stream<Path> files = Files.list(dir))
        {
            final List<URL> urls = new ArrayList<>();
            for (final Path jar : (Iterable<Path>)files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted()::iterator)
            {
                urls.add(jar.toUri().toURL());
            }
            return urls.toArray(new URL[0]);
        }
        catch (final MalformedURLException ex)
        {
            throw new IllegalArgumentException("xds: " + dir + ": " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
