package activemqha.warmup;

/**
 * ActiveMQ's own JMS client over OpenWire, through reflection (javax.jms in 5.x, jakarta.jms in
 * 6.x): what a reconnecting OpenWire client (and the agent's probe, which speaks OpenWire) makes
 * the broker run.
 */
final class OpenWirePeer implements AutoCloseable {
  private static final int CLIENT_ACKNOWLEDGE = 2;
  private static final int PERSISTENT = 2;
  private final Object connection;
  private final Object session;
  /** Called before every message: throws to stop (the real broker took its lock). */
  private final Runnable check;

  OpenWirePeer(Reflect reflect, int port, Runnable check) throws Exception {
    this.check = check;
    Object factory =
        reflect.create("org.apache.activemq.ActiveMQConnectionFactory", "tcp://127.0.0.1:" + port);
    connection = Reflect.call(factory, "createConnection");
    Reflect.call(connection, "start");
    session = Reflect.call(connection, "createSession", false, CLIENT_ACKNOWLEDGE);
  }

  /** `count` persistent messages; each send waits for the broker's answer (sync persistent). */
  void send(String queue, int count, String body) throws Exception {
    Object producer = Reflect.call(session, "createProducer", Reflect.call(session, "createQueue", queue));
    Reflect.call(producer, "setDeliveryMode", PERSISTENT);
    for (int i = 0; i < count; i++) {
      check.run();
      Reflect.call(producer, "send", Reflect.call(session, "createTextMessage", body));
    }
    Reflect.call(producer, "close");
  }

  /** Receives and acknowledges up to `count` messages; fewer if the queue runs dry. */
  int receive(String queue, int count) throws Exception {
    Object consumer = Reflect.call(session, "createConsumer", Reflect.call(session, "createQueue", queue));
    int got = 0;
    while (got < count) {
      check.run();
      Object message = Reflect.call(consumer, "receive", 2_000L);
      if (message == null) break;
      Reflect.call(message, "acknowledge");
      got++;
    }
    Reflect.call(consumer, "close");
    return got;
  }

  @Override
  public void close() {
    try {
      Reflect.call(connection, "close");
    } catch (Exception e) {
      // The broker goes away with the rehearsal anyway.
    }
  }
}
