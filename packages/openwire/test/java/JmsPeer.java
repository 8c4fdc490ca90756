import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * ActiveMQ's Java JMS client as an interop peer for interop.test.ts.
 *   send <url> <queue>                      Text, Bytes and Map messages with every property type
 *   receive <url> <queue> <count> [selector] prints one line per message (see describe())
 */
public class JmsPeer {
    public static void main(String[] args) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(args[1]);
        Connection connection = factory.createConnection();
        connection.start();
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue queue = session.createQueue(args[2]);
        if (args[0].equals("send")) {
            MessageProducer producer = session.createProducer(queue);
            TextMessage text = session.createTextMessage("from java ✓");
            setAll(text);
            text.setJMSCorrelationID("corr-j");
            text.setJMSReplyTo(session.createQueue("reply.q"));
            text.setJMSType("java-type");
            producer.send(text, DeliveryMode.PERSISTENT, 7, 60_000);
            BytesMessage bytes = session.createBytesMessage();
            bytes.writeBytes(new byte[] {1, 2, (byte) 254});
            setAll(bytes);
            producer.send(bytes, DeliveryMode.NON_PERSISTENT, 4, 0);
            MapMessage map = session.createMapMessage();
            map.setBoolean("b", true);
            map.setByte("y", (byte) -1);
            map.setChar("c", 'x');
            map.setShort("s", (short) 300);
            map.setInt("i", 70000);
            map.setLong("l", 1L << 40);
            map.setFloat("f", 0.5f);
            map.setDouble("d", -2.25);
            map.setString("t", "täxt");
            map.setBytes("a", new byte[] {5, 6});
            setAll(map);
            producer.send(map);
        } else {
            MessageConsumer consumer = args.length > 4
                ? session.createConsumer(queue, args[4])
                : session.createConsumer(queue);
            int count = Integer.parseInt(args[3]);
            for (int i = 0; i < count; i++) {
                Message m = consumer.receive(20_000);
                if (m == null) throw new java.lang.IllegalStateException("timed out waiting for message " + i);
                System.out.println(describe(m));
            }
        }
        connection.close();
    }

    static void setAll(Message m) throws JMSException {
        m.setBooleanProperty("pBool", true);
        m.setByteProperty("pByte", (byte) -3);
        m.setShortProperty("pShort", (short) 1234);
        m.setIntProperty("pInt", -99);
        m.setLongProperty("pLong", 1234567890123L);
        m.setFloatProperty("pFloat", 2.5f);
        m.setDoubleProperty("pDouble", 0.125);
        m.setStringProperty("pString", "ünï");
    }

    /** kind|body|properties (name=Type:value, sorted)|priority|ttl?|correlation|replyTo|type|persistent */
    static String describe(Message m) throws JMSException {
        String body;
        if (m instanceof TextMessage) {
            body = "text:" + ((TextMessage) m).getText();
        } else if (m instanceof BytesMessage) {
            BytesMessage b = (BytesMessage) m;
            StringBuilder hex = new StringBuilder();
            for (long i = 0; i < b.getBodyLength(); i++) hex.append(String.format("%02x", b.readByte()));
            body = "bytes:" + hex;
        } else if (m instanceof MapMessage) {
            MapMessage map = (MapMessage) m;
            List<String> names = new ArrayList<>();
            for (Enumeration<?> e = map.getMapNames(); e.hasMoreElements(); ) names.add((String) e.nextElement());
            Collections.sort(names);
            StringBuilder sb = new StringBuilder("map:");
            for (String n : names) {
                Object v = map.getObject(n);
                sb.append(n).append('=').append(v.getClass().getSimpleName()).append(':')
                    .append(v instanceof byte[] ? ((byte[]) v).length + "bytes" : String.valueOf(v)).append(',');
            }
            body = sb.toString();
        } else {
            body = "other:" + m.getClass().getSimpleName();
        }
        List<String> names = new ArrayList<>();
        for (Enumeration<?> e = m.getPropertyNames(); e.hasMoreElements(); ) names.add((String) e.nextElement());
        Collections.sort(names);
        StringBuilder props = new StringBuilder();
        for (String n : names) {
            if (n.startsWith("JMSX")) continue;
            Object v = m.getObjectProperty(n);
            props.append(n).append('=').append(v.getClass().getSimpleName()).append(':').append(v).append(',');
        }
        return String.join("|", body, props.toString(), String.valueOf(m.getJMSPriority()),
            m.getJMSExpiration() > 0 ? "ttl" : "no-ttl", String.valueOf(m.getJMSCorrelationID()),
            String.valueOf(m.getJMSReplyTo()), String.valueOf(m.getJMSType()),
            m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT ? "persistent" : "non-persistent");
    }
}
