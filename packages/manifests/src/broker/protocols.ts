/**
 * Client protocols a broker can expose, with ActiveMQ's URI scheme and well-known port. The `-tls`
 * ones are ActiveMQ's `ssl://` (OpenWire) and `stomp+ssl://` connectors, which read the broker's
 * `sslContext` (activemq.xml); the names double as Kubernetes port names (no "+").
 */
export const BROKER_PROTOCOLS = {
  openwire: { scheme: 'tcp', port: 61616, tls: false },
  stomp: { scheme: 'stomp', port: 61613, tls: false },
  amqp: { scheme: 'amqp', port: 5672, tls: false },
  mqtt: { scheme: 'mqtt', port: 1883, tls: false },
  ws: { scheme: 'ws', port: 61614, tls: false },
  'openwire-tls': { scheme: 'ssl', port: 61617, tls: true },
  'stomp-tls': { scheme: 'stomp+ssl', port: 61612, tls: true },
} as const;

export type BrokerProtocol = keyof typeof BROKER_PROTOCOLS;

export function isBrokerProtocol(value: string): value is BrokerProtocol {
  return Object.hasOwn(BROKER_PROTOCOLS, value);
}

/** Does any of these connectors need the broker's TLS keystore? */
export function usesTls(protocols: readonly BrokerProtocol[]): boolean {
  return protocols.some((p) => BROKER_PROTOCOLS[p].tls);
}
