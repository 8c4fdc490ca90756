export {
  renderActivemqXml,
  transportPorts,
  DEFAULT_LOCK_ACQUIRE_SLEEP_INTERVAL_MS,
  DEFAULT_LOCK_KEEP_ALIVE_PERIOD_MS,
} from './broker/activemq-xml.js';
export type {
  ActivemqXmlOptions,
  BrokerUser,
  TransportConnectorOptions,
} from './broker/activemq-xml.js';
export { BROKER_PROTOCOLS, isBrokerProtocol } from './broker/protocols.js';
export type { BrokerProtocol } from './broker/protocols.js';
export { ManifestsError } from './errors.js';
export type { ManifestsErrorCode } from './errors.js';
