import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * Sends one TextMessage through ActiveMQ's own JMS client (OpenWire) with a large string
 * property and many small ones: the broker copies every JMS property into a STOMP MESSAGE header.
 * Usage: java -cp "<activemq lib>/*" JmsPropertyProducer.java tcp://host:port queueName propBytes propCount
 */
public class JmsPropertyProducer {
    public static void main(String[] args) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(args[0]);
        Connection connection = factory.createConnection();
        try {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(args[1]));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            TextMessage message = session.createTextMessage("from jms");
            message.setStringProperty("bigProperty", "p".repeat(Integer.parseInt(args[2])));
            for (int i = 0; i < Integer.parseInt(args[3]); i++) message.setIntProperty("prop" + i, i);
            producer.send(message);
            System.out.println("sent " + message.getJMSMessageID());
        } finally {
            connection.close();
        }
    }
}
