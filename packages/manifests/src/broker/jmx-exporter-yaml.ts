/**
 * Broker metrics for Prometheus through the Prometheus JMX exporter's java agent. Chosen because
 * ActiveMQ Classic has no Prometheus endpoint of its own, and the agent reads the MBeans in the
 * broker's own JVM (`useJmx="true"`), so no remote JMX port is opened (`createConnector="false"`
 * stays) and nothing but the jar has to be added to the image. The rules below keep the broker
 * and per-destination figures operators alert on, with a `broker` and `destination` label.
 */
export const JMX_EXPORTER_RULES = `# Rendered by @activemq-ha/manifests: the Prometheus JMX exporter's rules for ActiveMQ Classic.
lowercaseOutputName: true
lowercaseOutputLabelNames: true
includeObjectNames: ["org.apache.activemq:type=Broker,*", "java.lang:*"]
rules:
  - pattern: 'org.apache.activemq<type=Broker, brokerName=([^,]+), destinationType=(Queue|Topic), destinationName=([^,>]+)><>(EnqueueCount|DequeueCount|ExpiredCount|DispatchCount)'
    name: activemq_destination_$4
    type: COUNTER
    labels: { broker: "$1", type: "$2", destination: "$3" }
  - pattern: 'org.apache.activemq<type=Broker, brokerName=([^,]+), destinationType=(Queue|Topic), destinationName=([^,>]+)><>(QueueSize|ConsumerCount|ProducerCount|InFlightCount|MemoryPercentUsage)'
    name: activemq_destination_$4
    type: GAUGE
    labels: { broker: "$1", type: "$2", destination: "$3" }
  - pattern: 'org.apache.activemq<type=Broker, brokerName=([^,>]+)><>(StorePercentUsage|MemoryPercentUsage|TempPercentUsage|CurrentConnectionsCount|TotalConsumerCount|TotalProducerCount)'
    name: activemq_broker_$2
    type: GAUGE
    labels: { broker: "$1" }
  - pattern: 'org.apache.activemq<type=Broker, brokerName=([^,>]+)><>(TotalEnqueueCount|TotalDequeueCount|TotalConnectionsCount)'
    name: activemq_broker_$2
    type: COUNTER
    labels: { broker: "$1" }
`;

/** The `-javaagent:` flag that serves `/metrics` on `port` with the rules file at `configPath`. */
export function jmxExporterAgentFlag(jarPath: string, port: number, configPath: string): string {
  return `-javaagent:${jarPath}=${port}:${configPath}`;
}
