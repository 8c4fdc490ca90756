package activemqha.warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A minimal STOMP 1.2 client over a plain socket, for the rehearsal: what a reconnecting STOMP
 * client makes the broker run (CONNECT, persistent SENDs with receipts, a client-individual
 * subscription and its ACKs).
 */
final class StompPeer implements AutoCloseable {
  private static final int TIMEOUT_MS = 10_000;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** Called before every message: throws to stop (the real broker took its lock). */
  private final Runnable check;

  StompPeer(int port, Runnable check) throws IOException {
    this.check = check;
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
    socket.setSoTimeout(TIMEOUT_MS);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    write("CONNECT\naccept-version:1.2\nhost:localhost\n\n");
    expect("CONNECTED");
  }

  /** `count` persistent messages, each confirmed by its receipt before the next. */
  void send(String queue, int count, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < count; i++) {
      check.run();
      write(
          "SEND\ndestination:/queue/" + queue + "\npersistent:true\nreceipt:r" + i
              + "\ncontent-type:text/plain\ncontent-length:" + bytes.length + "\n\n" + body);
      expect("RECEIPT");
    }
  }

  /** Receives and acknowledges up to `count` messages; fewer if the queue runs dry. */
  int receive(String queue, int count) throws IOException {
    write("SUBSCRIBE\nid:1\ndestination:/queue/" + queue + "\nack:client-individual\n\n");
    int got = 0;
    socket.setSoTimeout(2_000);
    try {
      while (got < count) {
        check.run();
        Map<String, String> headers = new HashMap<>();
        String command = readFrame(headers);
        if (!command.equals("MESSAGE")) throw new IOException("expected MESSAGE, got " + command);
        String ack = headers.getOrDefault("ack", headers.get("message-id"));
        write("ACK\nid:" + ack + "\n\n");
        got++;
      }
    } catch (java.net.SocketTimeoutException drained) {
      // Queue empty.
    }
    socket.setSoTimeout(TIMEOUT_MS);
    write("UNSUBSCRIBE\nid:1\nreceipt:unsub\n\n");
    // MESSAGE frames already in flight may come before the receipt.
    for (;;) {
      String command = readFrame(new HashMap<>());
      if (command.equals("RECEIPT")) return got;
    }
  }

  @Override
  public void close() {
    try {
      write("DISCONNECT\n\n");
    } catch (IOException e) {
      // Closing anyway.
    }
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing left to do.
    }
  }

  private void write(String frame) throws IOException {
    out.write(frame.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.flush();
  }

  private void expect(String command) throws IOException {
    Map<String, String> headers = new HashMap<>();
    String got = readFrame(headers);
    if (!got.equals(command)) {
      throw new IOException("expected " + command + ", got " + got + " " + headers.getOrDefault("message", ""));
    }
  }

  /** One frame's command, its headers into `headers`; heart-beat EOLs skipped. */
  private String readFrame(Map<String, String> headers) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) == '\n' || b == '\r') {
      // Heart-beat.
    }
    while (b != 0) {
      if (b < 0) throw new IOException("connection closed by the broker");
      frame.write(b);
      b = in.read();
    }
    String text = frame.toString(StandardCharsets.UTF_8.name());
    int end = text.indexOf("\n\n");
    String[] lines = (end < 0 ? text : text.substring(0, end)).split("\r?\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
    }
    return lines[0];
  }
}
