import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * ActiveMQ's Java JMS client over its failover transport, the reference for failover.bench.ts.
 *
 *   traffic <url> <queue> <window> <bytes>
 *     <window> producer threads (one session each, persistent synchronous sends) and one
 *     consumer (auto acknowledge) on a second connection; "go" on stdin starts the producers.
 *     stdout: "READY" once subscribed,
 *     "P <id>" per confirmed send, "R <id>" per delivery, "E <message>" per error; a line
 *     "stop" on stdin stops the producers ("STOPPED"), end of input closes and exits.
 *   rate <url> <queue> <count> <window> <bytes> <persistent>
 *     sends <count> messages from <window> threads; prints "RATE <msg/s> <p50 ms> <p99 ms>".
 */
public class FailoverPeer {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("rate")) {
            rate(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Boolean.parseBoolean(args[6]));
        } else {
            traffic(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        }
    }

    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void traffic(String url, String queueName, int window, int bytes) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        Connection consumerConnection = factory.createConnection();
        consumerConnection.start();
        Session consumerSession = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = consumerSession.createConsumer(consumerSession.createQueue(queueName));
        consumer.setMessageListener(m -> {
            try {
                say("R " + m.getStringProperty("ha-message-id"));
            } catch (JMSException e) {
                say("E " + e);
            }
        });
        Connection producerConnection = factory.createConnection();
        producerConnection.start();
        String payload = "x".repeat(bytes);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < window; i++) {
            Session session = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queueName));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            Thread t = new Thread(() -> {
                while (running.get()) {
                    String id = UUID.randomUUID().toString();
                    try {
                        TextMessage m = session.createTextMessage(payload);
                        m.setStringProperty("ha-message-id", id);
                        producer.send(m);
                        say("P " + id);
                    } catch (JMSException e) {
                        say("E " + e);
                    }
                }
            });
            threads.add(t);
        }
        say("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("go")) {
                for (Thread t : threads) t.start();
            } else if (line.equals("stop")) {
                running.set(false);
                for (Thread t : threads) t.join();
                say("STOPPED");
            }
        }
        running.set(false);
        producerConnection.close();
        consumerConnection.close();
    }

    static void rate(String url, String queueName, int count, int window, int bytes, boolean persistent)
            throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        Connection connection = factory.createConnection();
        connection.start();
        String payload = "x".repeat(bytes);
        AtomicInteger next = new AtomicInteger();
        long[] latencies = new long[count];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < window; i++) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queueName));
            producer.setDeliveryMode(persistent ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
            threads.add(new Thread(() -> {
                int n;
                while ((n = next.getAndIncrement()) < count) {
                    try {
                        long start = System.nanoTime();
                        producer.send(session.createTextMessage(payload));
                        latencies[n] = System.nanoTime() - start;
                    } catch (JMSException e) {
                        say("E " + e);
                    }
                }
            }));
        }
        long start = System.nanoTime();
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        say(String.format("RATE %.1f %.2f %.2f", count / seconds, latencies[count / 2] / 1e6,
                latencies[Math.min(count - 1, (int) Math.ceil(count * 0.99) - 1)] / 1e6));
        connection.close();
    }
}
