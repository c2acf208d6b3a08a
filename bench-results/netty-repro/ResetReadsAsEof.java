// A peer that closes with unread data sends an RST; on this kernel (6.18) the other side's next read(2)
// returns end of stream, not ECONNRESET, when the RST arrived behind data it had read. Plain java.nio,
// no Netty. Run: java bench-results/netty-repro/ResetReadsAsEof.java 5   (prints reset=0 eof=200 here)
import java.net.*; import java.nio.*; import java.nio.channels.*;
public class ResetReadsAsEof { public static void main(String[] a) throws Exception {
  int reset=0, eof=0, other=0;
  ServerSocketChannel ss = ServerSocketChannel.open(); ss.bind(new InetSocketAddress("127.0.0.1",0));
  for (int i=0;i<200;i++){
    Socket c = new Socket(); c.connect(ss.getLocalAddress());
    SocketChannel s = ss.accept();
    c.getOutputStream().write(new byte[16384]);
    ByteBuffer b = ByteBuffer.allocate(65536); int got=0; while(got<16384) got+=s.read(b);
    b.clear(); b.put(new byte[16384]).flip(); while(b.hasRemaining()) s.write(b);
    while (c.getInputStream().available()==0) Thread.sleep(1);
    c.close();
    Thread.sleep(Integer.parseInt(a[0]));
    b.clear();
    try { int r = s.read(b); if (r<0) eof++; else other++; } catch (java.io.IOException e) { reset++; }
    s.close();
  }
  System.out.println("reset="+reset+" eof="+eof+" other="+other);
}}
