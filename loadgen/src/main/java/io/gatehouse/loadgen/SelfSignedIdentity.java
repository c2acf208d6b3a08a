package io.gatehouse.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * A self-signed certificate and its key for test and demo TLS backends, made by the JDK's own
 * {@code keytool} (no extra dependency) into a temporary PKCS12 file that is deleted once loaded.
 * The subject alternative names are the names served, so a client that checks names can be pointed
 * at {@link #certificate()} as its only trust anchor.
 *
 * <p>Control path only: generating one runs a child JVM (about a second). Immutable and thread-safe
 * once built; reuse one instance across backends and tests.
 */
public final class SelfSignedIdentity
{
    private static final String ALIAS = "gatehouse";
    private static final long KEYTOOL_TIMEOUT_S = 60;

    private final List<String> names;
    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final KeyStore keyStore;
    private final char[] password;

    private SelfSignedIdentity(
        final List<String> names,
        final PrivateKey privateKey,
        final X509Certificate certificate,
        final KeyStore keyStore,
        final char[] password)
    {
        this.names = names;
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.keyStore = keyStore;
        this.password = password;
    }

    /**
     * Generates an EC P-256 key and a certificate valid for 30 days whose subject alternative names
     * are {@code names} (DNS names; IP literals become IP entries).
     *
     * @param names at least one; the first is also the subject CN.
     * @return the identity.
     * @throws UncheckedIOException when keytool is missing or fails.
     */
    public static SelfSignedIdentity generate(final String... names)
    {
        if (names.length == 0)
        {
            throw new IllegalArgumentException("at least one name");
        }
        final Path dir;
        try
        {
            dir = Files.createTempDirectory("gatehouse-cert");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Path store = dir.resolve("identity.p12");
        final String pass = "gatehouse-" + Long.toHexString(System.nanoTime());
        try
        {
            final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            final List<String> command = new ArrayList<>(List.of(
                keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=" + names[0], "-validity", "30",
                "-ext", "SAN=" + subjectAlternativeNames(names),
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", pass, "-keypass", pass));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output;
            try (InputStream in = process.getInputStream())
            {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException("keytool did not finish in " + KEYTOOL_TIMEOUT_S + " s");
            }
            if (process.exitValue() != 0)
            {
                throw new IOException("keytool failed (" + process.exitValue() + "): " + output.strip());
            }
            final char[] password = pass.toCharArray();
            final KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store))
            {
                keyStore.load(in, password);
            }
            final PrivateKey key = (PrivateKey)keyStore.getKey(ALIAS, password);
            final X509Certificate cert = (X509Certificate)keyStore.getCertificate(ALIAS);
            return new SelfSignedIdentity(List.of(names), key, cert, keyStore, password);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new UncheckedIOException(new IOException("cannot load the generated key store", ex));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while running keytool", ex));
        }
        finally
        {
            try
            {
                Files.deleteIfExists(store);
                Files.deleteIfExists(dir);
            }
            catch (final IOException ignored)
            {
                // a temp file left behind is harmless; the key is already in memory
            }
        }
    }

    private static String subjectAlternativeNames(final String... names)
    {
        final StringBuilder san = new StringBuilder();
        for (final String name : names)
        {
            if (san.length() > 0)
            {
                san.append(',');
            }
            final boolean ip = name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
            san.append(ip ? "ip:" : "dns:").append(name);
        }
        return san.toString();
    }

    /** The names in the certificate's subject alternative names, first = CN. */
    public List<String> names()
    {
        return names;
    }

    public PrivateKey privateKey()
    {
        return privateKey;
    }

    public X509Certificate certificate()
    {
        return certificate;
    }

    /** A fresh key manager factory over the generated key (for an {@code SSLContext} or Netty). */
    public KeyManagerFactory keyManagerFactory()
    {
        try
        {
            final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keyStore, password);
            return factory;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot build a key manager over the generated key", ex);
        }
    }
}
