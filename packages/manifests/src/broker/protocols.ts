/** Client protocols a broker can expose, with ActiveMQ's URI scheme and well-known port. */
export const BROKER_PROTOCOLS = {
  openwire: { scheme: 'tcp', port: 61616 },
  stomp: { scheme: 'stomp', port: 61613 },
  amqp: { scheme: 'amqp', port: 5672 },
  mqtt: { scheme: 'mqtt', port: 1883 },
  ws: { scheme: 'ws', port: 61614 },
} as const;

export type BrokerProtocol = keyof typeof BROKER_PROTOCOLS;

export function isBrokerProtocol(value: string): value is BrokerProtocol {
  return Object.hasOwn(BROKER_PROTOCOLS, value);
}
