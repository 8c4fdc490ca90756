/**
 * Failover-aware STOMP and OpenWire client for an HA ActiveMQ Classic broker behind a Kubernetes Service.
 *
 * @module @activemq-ha/client
 */

// Java-typed JMS property values (OpenWire keeps them; STOMP sends strings).
export {
  type ConsumerInfo,
  type DataStructure,
  type Destination as OpenWireDestination,
  JavaByte,
  JavaChar,
  JavaDouble,
  JavaFloat,
  JavaShort,
  type ProducerInfo,
  type PropertyMap,
  type PropertyValue,
  type RemoveInfo,
} from '@activemq-ha/openwire';
export type { ConnectionState, ConnectionStateType } from './connection-state.js';
export { type Discovery, type DiscoveryListener, failover, servers } from './discovery.js';
export {
  BrokerError,
  HaClientError,
  type HaClientErrorCode,
  InvalidOptionError,
  SendRejectedError,
  TransactionInDoubtError,
} from './errors.js';
export type { HaClientEvents } from './events.js';
export {
  type FailoverUriOptions,
  type ParsedFailoverUri,
  parseFailoverUri,
} from './failover-uri.js';
export { createClient, HaClient } from './ha-client.js';
export {
  type KubeConfigLike,
  type KubernetesDiscoveryOptions,
  kubernetes,
} from './kubernetes-discovery.js';
export type { Logger } from './logger.js';
export type { FrameLimits, HaClientOptions, ReconnectOptions } from './options.js';
export type { PullConsumer, PullOptions, ReceiveOptions } from './pull-consumer.js';
export type { ReconnectHintOptions } from './reconnect-hint.js';
export type { MessageBody, SendHeaders, SendOptions, SendResult } from './sender.js';
export {
  formatServer,
  type Protocol,
  parseServerUri,
  type ServerAddress,
} from './server-address.js';
export type { ServerListOptions } from './server-list.js';
export type {
  AckMode,
  MessageHandler,
  MessageStream,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
  UnsubscribeOptions,
} from './subscription.js';
export type { Transaction, TransactionOptions } from './transaction.js';
