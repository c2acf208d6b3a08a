import java.net.InetSocketAddress;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** JDK SSLSocket client: java JdkTlsClient.java PORT NAME. Sends its ClientHello with SNI and ALPN h2,http/1.1. */
public final class JdkTlsClient
{
    public static void main(final String[] args) throws Exception
    {
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        try (SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 5000);
            socket.setSoTimeout(5000);
            final SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(args[1])));
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
        }
        catch (final java.io.IOException expected)
        {
            System.err.println("handshake ended: " + expected);
        }
    }
}
