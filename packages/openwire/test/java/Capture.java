import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQSession;

/**
 * Drives ActiveMQ's own Java client through every command our codec speaks, so a recorder proxy
 * between it and a real broker can save the frames as golden vectors (see capture-golden.ts).
 * Usage: java Capture <brokerUrl>
 */
public class Capture {
    public static void main(String[] args) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(args[0]);
        factory.setClientID("golden-client");
        Connection connection = factory.createConnection();
        connection.start();

        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue queue = session.createQueue("golden.queue");
        TemporaryQueue replyTo = session.createTemporaryQueue();
        MessageProducer producer = session.createProducer(queue);

        TextMessage text = session.createTextMessage("héllo wörld \u0000 \uD83D\uDE00 golden");
        text.setBooleanProperty("bool", true);
        text.setByteProperty("byte", (byte) -7);
        text.setShortProperty("short", (short) -30000);
        text.setIntProperty("int", 123456789);
        text.setLongProperty("long", -9876543210123L);
        text.setFloatProperty("float", 1.5f);
        text.setDoubleProperty("double", Math.PI);
        text.setStringProperty("string", "ünïcode \uD83D\uDE00");
        text.setStringProperty("big", "x".repeat(9000));
        text.setStringProperty("color", "red");
        text.setJMSCorrelationID("corr-1");
        text.setJMSReplyTo(replyTo);
        text.setJMSType("golden-type");
        text.setStringProperty("JMSXGroupID", "group-a");
        producer.send(text, DeliveryMode.PERSISTENT, 7, 60_000);

        BytesMessage bytes = session.createBytesMessage();
        bytes.writeBytes(new byte[] {0, 1, 2, (byte) 0xff, 127, -128});
        bytes.setStringProperty("color", "blue");
        producer.send(bytes, DeliveryMode.NON_PERSISTENT, 4, 0);

        MapMessage map = session.createMapMessage();
        map.setBoolean("b", false);
        map.setByte("y", (byte) 1);
        map.setChar("c", 'ß');
        map.setShort("s", (short) 2);
        map.setInt("i", -3);
        map.setLong("l", 4L << 40);
        map.setFloat("f", -0.25f);
        map.setDouble("d", 1e300);
        map.setString("t", "text");
        map.setBytes("a", new byte[] {9, 8, 7});
        map.setObject("n", null);
        Map<String, Object> nested = new HashMap<>();
        nested.put("inner", 42);
        map.setObject("m", nested);
        List<Object> list = new ArrayList<>();
        list.add("one");
        list.add(2L);
        map.setObject("list", list);
        map.setStringProperty("color", "red");
        producer.send(map);

        MessageConsumer consumer = session.createConsumer(queue, "color = 'red'");
        for (int i = 0; i < 2; i++) {
            if (consumer.receive(10_000) == null) throw new java.lang.IllegalStateException("no message " + i);
        }
        consumer.close();
        MessageConsumer blue = session.createConsumer(queue);
        if (blue.receive(10_000) == null) throw new java.lang.IllegalStateException("no blue message");
        blue.close();

        // Local transaction: commit one, roll one back, consume the committed one.
        Session tx = connection.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer txProducer = tx.createProducer(queue);
        txProducer.send(tx.createTextMessage("committed"));
        tx.commit();
        txProducer.send(tx.createTextMessage("rolled back"));
        tx.rollback();
        MessageConsumer txConsumer = tx.createConsumer(queue);
        if (txConsumer.receive(10_000) == null) throw new java.lang.IllegalStateException("no tx message");
        tx.commit();
        tx.close();

        // Prefetch 0: the consumer pulls (MessagePull); individual acknowledge.
        Session individual = connection.createSession(false, ActiveMQSession.INDIVIDUAL_ACKNOWLEDGE);
        producer.send(session.createTextMessage("pulled"));
        MessageConsumer puller =
            individual.createConsumer(individual.createQueue("golden.queue?consumer.prefetchSize=0"));
        Message pulled = puller.receive(10_000);
        if (pulled == null) throw new java.lang.IllegalStateException("no pulled message");
        pulled.acknowledge();
        puller.close();
        individual.close();

        // A topic consumer and an invalid selector (the broker answers with ExceptionResponse).
        Topic topic = session.createTopic("golden.topic");
        session.createConsumer(topic).close();
        try {
            session.createConsumer(queue, "this is not a selector ((");
            throw new java.lang.IllegalStateException("invalid selector accepted");
        } catch (InvalidSelectorException expected) {
            // expected: the Java client parses selectors itself, nothing reaches the wire
        }
        replyTo.delete();

        // A second connection with the same client id: the broker refuses it (ExceptionResponse).
        Connection duplicate = factory.createConnection();
        try {
            duplicate.start();
            throw new java.lang.IllegalStateException("duplicate client id accepted");
        } catch (InvalidClientIDException expected) {
            // expected
        } finally {
            duplicate.close();
        }
        connection.close();
        System.out.println("capture done");
    }
}
