package io.gatehouse.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The backends, driven by plain JDK sockets on loopback. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BackendTest
{
    private static SelfSignedIdentity identity;

    @BeforeAll
    static void generateCertificate()
    {
        identity = SelfSignedIdentity.generate("tls.example.test", "localhost");
    }

    private static Socket connect(final Backend backend) throws IOException
    {
        final Socket socket = new Socket("127.0.0.1", backend.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n')
        {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldGreetWithItsIdThenEchoEveryByte() throws IOException
    {
        try (Backend backend = Backend.start(BackendSpec.of(BackendMode.ECHO, "echo-a"));
            Socket socket = connect(backend))
        {
            assertEquals("echo-a", readLine(socket.getInputStream()));
            final byte[] payload = new byte[100_000];
            for (int i = 0; i < payload.length; i++)
            {
                payload[i] = (byte)i;
            }
            socket.getOutputStream().write(payload);
            assertArrayEquals(payload, socket.getInputStream().readNBytes(payload.length));
        }
    }

    @Test
    void shouldGreetThenDropWhatItReadsWhenSink() throws Exception
    {
        try (Backend backend = Backend.start(BackendSpec.of(BackendMode.SINK, "sink-b"));
            Socket socket = connect(backend))
        {
            assertEquals("sink-b", readLine(socket.getInputStream()));
            socket.getOutputStream().write(new byte[50_000]);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backend.bytesReceived() < 50_000 && System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(50_000, backend.bytesReceived());
            assertEquals(0, socket.getInputStream().available());
        }
    }

    @Test
    void shouldAnswerEachReadWithAFixedResponseBeginningWithItsId() throws IOException
    {
        try (Backend backend = Backend.start(BackendSpec.of(BackendMode.RESPOND, "resp-c").withResponseBytes(100));
            Socket socket = connect(backend))
        {
            socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            final byte[] response = socket.getInputStream().readNBytes(100);
            final String text = new String(response, StandardCharsets.US_ASCII);
            assertTrue(text.startsWith("resp-c\n"), text);
            assertEquals(".".repeat(93), text.substring(7));
        }
    }

    @Test
    void shouldStreamBulkBytesAfterTheGreetingWhenSource() throws IOException
    {
        try (Backend backend = Backend.start(BackendSpec.of(BackendMode.SOURCE, "src-d"));
            Socket socket = connect(backend))
        {
            assertEquals("src-d", readLine(socket.getInputStream()));
            final byte[] bulk = socket.getInputStream().readNBytes(1_000_000);
            assertEquals(1_000_000, bulk.length);
            assertEquals('s', bulk[999_999]);
        }
    }

    @Test
    void shouldTerminateTlsWithACertificateNamingTheServedNames() throws Exception
    {
        try (Backend backend = Backend.start(BackendSpec.of(BackendMode.ECHO, "tls-e").withTls(identity)))
        {
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", identity.certificate());
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket("127.0.0.1", backend.port()))
            {
                socket.setSoTimeout(10_000);
                final SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName("tls.example.test")));
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                final X509Certificate peer = (X509Certificate)socket.getSession().getPeerCertificates()[0];
                assertEquals(identity.certificate(), peer);
                assertEquals("tls-e", readLine(socket.getInputStream()));
                socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                assertEquals("ping", new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void shouldPutEveryNameInTheSubjectAlternativeNames() throws Exception
    {
        final var names = identity.certificate().getSubjectAlternativeNames();
        assertEquals(2, names.size());
        assertTrue(names.stream().anyMatch(n -> "tls.example.test".equals(n.get(1))));
        assertTrue(names.stream().anyMatch(n -> "localhost".equals(n.get(1))));
        assertEquals(identity.certificate().getPublicKey(), identity.certificate().getPublicKey());
        assertTrue(identity.privateKey().getAlgorithm().startsWith("EC"));
    }

    @Test
    void shouldNameTheAddressWhenItCannotBind()
    {
        try (Backend first = Backend.start(BackendSpec.of(BackendMode.SINK, "first")))
        {
            final BackendSpec clash = BackendSpec.of(BackendMode.SINK, "second").withAddress("127.0.0.1", first.port());
            final IllegalStateException failure = assertThrows(IllegalStateException.class, () -> Backend.start(clash).close());
            assertTrue(failure.getMessage().contains("127.0.0.1:" + first.port()), failure.getMessage());
        }
    }
}
