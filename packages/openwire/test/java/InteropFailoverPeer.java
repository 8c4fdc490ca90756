import java.io.BufferedReader;
import java.io.InputStreamReader;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * ActiveMQ's Java JMS client over its failover transport, as the peer of the client's
 * openwire-java-failover.test.ts (one line per event on stdout, flushed at once):
 *   produce <url> <queue> <count>
 *     sends <count> messages, cycling Text, Bytes and Map, each with every property type
 *     (JmsPeer.setAll), priority 0..9, a TTL, a correlation id, a reply-to and a type,
 *     persistent and synchronous; prints "P <n> <JMSMessageID>" as each send returns (the
 *     broker confirmed it), then "DONE".
 *   consume <url> <queue>
 *     prints "READY" once subscribed, then "R <JmsPeer.describe>|<ha-message-id>" per delivery
 *     (auto acknowledge), until stdin ends.
 */
public class InteropFailoverPeer {
    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(args[1]);
        Connection connection = factory.createConnection();
        connection.start();
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue queue = session.createQueue(args[2]);
        if (args[0].equals("produce")) {
            MessageProducer producer = session.createProducer(queue);
            Queue replyTo = session.createQueue("interop.reply");
            int count = Integer.parseInt(args[3]);
            for (int n = 0; n < count; n++) {
                Message m;
                if (n % 3 == 0) {
                    m = session.createTextMessage("text " + n + " ✓");
                } else if (n % 3 == 1) {
                    BytesMessage b = session.createBytesMessage();
                    b.writeBytes(new byte[] {(byte) n, 0, (byte) 254});
                    m = b;
                } else {
                    MapMessage map = session.createMapMessage();
                    map.setInt("n", n);
                    map.setLong("l", 1L << 40);
                    map.setShort("s", (short) 300);
                    map.setString("t", "täxt");
                    m = map;
                }
                JmsPeer.setAll(m);
                m.setIntProperty("n", n);
                m.setJMSCorrelationID("corr-" + n);
                m.setJMSReplyTo(replyTo);
                m.setJMSType("interop");
                producer.send(m, DeliveryMode.PERSISTENT, n % 10, 600_000);
                say("P " + n + " " + m.getJMSMessageID());
            }
            say("DONE");
        } else {
            MessageConsumer consumer = session.createConsumer(queue);
            consumer.setMessageListener(m -> {
                try {
                    say("R " + JmsPeer.describe(m) + "|" + m.getStringProperty("ha-message-id"));
                } catch (JMSException e) {
                    say("E " + e);
                }
            });
            say("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            while (in.readLine() != null) {
                // Runs until the test closes stdin.
            }
        }
        connection.close();
    }
}
