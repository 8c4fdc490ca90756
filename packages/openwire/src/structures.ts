import type { PropertyValue } from './typed-values.js';

/**
 * The decoded form of each OpenWire data structure. Field names follow the Java getters;
 * Java `long` is `bigint` (ids and sequence numbers can use all 64 bits), `int`/`short`/`byte`
 * are `number`, and every Java object field may be `null`, exactly as on the wire.
 */
type Props = ReadonlyMap<string, PropertyValue> | null;

export interface BaseCommand {
  readonly commandId: number;
  readonly responseRequired: boolean;
}

export interface ConnectionId {
  readonly type: 'ConnectionId';
  readonly value: string | null;
}
export interface SessionId {
  readonly type: 'SessionId';
  readonly connectionId: string | null;
  readonly value: bigint;
}
export interface ProducerId {
  readonly type: 'ProducerId';
  readonly connectionId: string | null;
  readonly value: bigint;
  readonly sessionId: bigint;
}
export interface ConsumerId {
  readonly type: 'ConsumerId';
  readonly connectionId: string | null;
  readonly sessionId: bigint;
  readonly value: bigint;
}
export interface BrokerId {
  readonly type: 'BrokerId';
  readonly value: string | null;
}
export interface MessageId {
  readonly type: 'MessageId';
  readonly textView: string | null;
  readonly producerId: ProducerId | null;
  readonly producerSequenceId: bigint;
  readonly brokerSequenceId: bigint;
}
export interface LocalTransactionId {
  readonly type: 'LocalTransactionId';
  readonly value: bigint;
  readonly connectionId: ConnectionId | null;
}
export type DestinationType =
  | 'ActiveMQQueue'
  | 'ActiveMQTopic'
  | 'ActiveMQTempQueue'
  | 'ActiveMQTempTopic';
export interface Destination {
  readonly type: DestinationType;
  readonly physicalName: string | null;
}

/** An exception as OpenWire carries it: names only, never a Java object. */
export interface ThrowableInfo {
  readonly exceptionClass: string | null;
  readonly message: string | null;
  /** Present when stack traces are negotiated on. */
  readonly stackTrace: readonly StackFrame[] | null;
  readonly cause: ThrowableInfo | null;
}
export interface StackFrame {
  readonly className: string | null;
  readonly methodName: string | null;
  readonly fileName: string | null;
  readonly lineNumber: number;
}

export interface WireFormatInfo {
  readonly type: 'WireFormatInfo';
  readonly magic: Uint8Array;
  readonly version: number;
  readonly properties: Props;
}
export interface BrokerInfo extends BaseCommand {
  readonly type: 'BrokerInfo';
  readonly brokerId: BrokerId | null;
  readonly brokerUrl: string | null;
  readonly peerBrokerInfos: readonly BrokerInfo[] | null;
  readonly brokerName: string | null;
  readonly slaveBroker: boolean;
  readonly masterBroker: boolean;
  readonly faultTolerantConfiguration: boolean;
  readonly duplexConnection: boolean;
  readonly networkConnection: boolean;
  readonly connectionId: bigint;
  readonly brokerUploadUrl: string | null;
  readonly networkProperties: string | null;
}
export interface ConnectionInfo extends BaseCommand {
  readonly type: 'ConnectionInfo';
  readonly connectionId: ConnectionId | null;
  readonly clientId: string | null;
  readonly password: string | null;
  readonly userName: string | null;
  readonly brokerPath: readonly BrokerId[] | null;
  readonly brokerMasterConnector: boolean;
  readonly manageable: boolean;
  readonly clientMaster: boolean;
  readonly faultTolerant: boolean;
  readonly failoverReconnect: boolean;
  readonly clientIp: string | null;
}
export interface SessionInfo extends BaseCommand {
  readonly type: 'SessionInfo';
  readonly sessionId: SessionId | null;
}
export interface ConsumerInfo extends BaseCommand {
  readonly type: 'ConsumerInfo';
  readonly consumerId: ConsumerId | null;
  readonly browser: boolean;
  readonly destination: Destination | null;
  readonly prefetchSize: number;
  readonly maximumPendingMessageLimit: number;
  readonly dispatchAsync: boolean;
  readonly selector: string | null;
  readonly clientId: string | null;
  readonly subscriptionName: string | null;
  readonly noLocal: boolean;
  readonly exclusive: boolean;
  readonly retroactive: boolean;
  readonly priority: number;
  readonly brokerPath: readonly BrokerId[] | null;
  readonly additionalPredicate: null;
  readonly networkSubscription: boolean;
  readonly optimizedAcknowledge: boolean;
  readonly noRangeAcks: boolean;
  readonly networkConsumerPath: readonly ConsumerId[] | null;
}
export interface ProducerInfo extends BaseCommand {
  readonly type: 'ProducerInfo';
  readonly producerId: ProducerId | null;
  readonly destination: Destination | null;
  readonly brokerPath: readonly BrokerId[] | null;
  readonly dispatchAsync: boolean;
  readonly windowSize: number;
}
export interface TransactionInfo extends BaseCommand {
  readonly type: 'TransactionInfo';
  readonly connectionId: ConnectionId | null;
  readonly transactionId: LocalTransactionId | null;
  /** TransactionInfo.BEGIN 0, COMMIT_ONE_PHASE 2, ROLLBACK 4 (see TRANSACTION_TYPE). */
  readonly transactionType: number;
}
export interface DestinationInfo extends BaseCommand {
  readonly type: 'DestinationInfo';
  readonly connectionId: ConnectionId | null;
  readonly destination: Destination | null;
  /** 0 add, 1 remove. */
  readonly operationType: number;
  readonly timeout: bigint;
  readonly brokerPath: readonly BrokerId[] | null;
}
/** Removes a durable topic subscription (no consumer may be on it). */
export interface RemoveSubscriptionInfo extends BaseCommand {
  readonly type: 'RemoveSubscriptionInfo';
  readonly connectionId: ConnectionId | null;
  readonly subcriptionName: string | null;
  readonly clientId: string | null;
}
export interface KeepAliveInfo extends BaseCommand {
  readonly type: 'KeepAliveInfo';
}
export interface ShutdownInfo extends BaseCommand {
  readonly type: 'ShutdownInfo';
}
export interface RemoveInfo extends BaseCommand {
  readonly type: 'RemoveInfo';
  readonly objectId: ConnectionId | SessionId | ProducerId | ConsumerId | null;
  readonly lastDeliveredSequenceId: bigint;
}
export interface ConnectionError extends BaseCommand {
  readonly type: 'ConnectionError';
  readonly exception: ThrowableInfo | null;
  readonly connectionId: ConnectionId | null;
}
export interface ConsumerControl extends BaseCommand {
  readonly type: 'ConsumerControl';
  readonly destination: Destination | null;
  readonly close: boolean;
  readonly consumerId: ConsumerId | null;
  readonly prefetch: number;
  readonly flush: boolean;
  readonly start: boolean;
  readonly stop: boolean;
}
export interface ConnectionControl extends BaseCommand {
  readonly type: 'ConnectionControl';
  readonly close: boolean;
  readonly exit: boolean;
  readonly faultTolerant: boolean;
  readonly resume: boolean;
  readonly suspend: boolean;
  readonly connectedBrokers: string | null;
  readonly reconnectTo: string | null;
  readonly rebalanceConnection: boolean;
  readonly token: Uint8Array | null;
}
export interface ProducerAck extends BaseCommand {
  readonly type: 'ProducerAck';
  readonly producerId: ProducerId | null;
  readonly size: number;
}
export interface MessagePull extends BaseCommand {
  readonly type: 'MessagePull';
  readonly consumerId: ConsumerId | null;
  readonly destination: Destination | null;
  readonly timeout: bigint;
  readonly correlationId: string | null;
  readonly messageId: MessageId | null;
}
export interface MessageDispatch extends BaseCommand {
  readonly type: 'MessageDispatch';
  readonly consumerId: ConsumerId | null;
  readonly destination: Destination | null;
  readonly message: Message | null;
  readonly redeliveryCounter: number;
}
export interface MessageAck extends BaseCommand {
  readonly type: 'MessageAck';
  readonly destination: Destination | null;
  readonly transactionId: LocalTransactionId | null;
  readonly consumerId: ConsumerId | null;
  /** See ACK_TYPE. */
  readonly ackType: number;
  readonly firstMessageId: MessageId | null;
  readonly lastMessageId: MessageId | null;
  readonly messageCount: number;
  readonly poisonCause: ThrowableInfo | null;
}
export type MessageType =
  | 'ActiveMQMessage'
  | 'ActiveMQTextMessage'
  | 'ActiveMQBytesMessage'
  | 'ActiveMQMapMessage';
export interface Message extends BaseCommand {
  readonly type: MessageType;
  readonly producerId: ProducerId | null;
  readonly destination: Destination | null;
  readonly transactionId: LocalTransactionId | null;
  readonly originalDestination: Destination | null;
  readonly messageId: MessageId | null;
  readonly originalTransactionId: LocalTransactionId | null;
  readonly groupId: string | null;
  readonly groupSequence: number;
  readonly correlationId: string | null;
  readonly persistent: boolean;
  readonly expiration: bigint;
  readonly priority: number;
  readonly replyTo: Destination | null;
  readonly timestamp: bigint;
  readonly jmsType: string | null;
  /** The body as the wire carries it; see message-body.ts to read or write one. */
  readonly content: Uint8Array | null;
  readonly properties: Props;
  /** Advisory messages carry the command they report (ConsumerInfo, RemoveInfo…). */
  readonly dataStructure: DataStructure | null;
  readonly targetConsumerId: ConsumerId | null;
  readonly compressed: boolean;
  readonly redeliveryCounter: number;
  readonly brokerPath: readonly BrokerId[] | null;
  readonly arrival: bigint;
  readonly userId: string | null;
  readonly receivedByDfBridge: boolean;
  readonly droppable: boolean;
  readonly cluster: readonly BrokerId[] | null;
  readonly brokerInTime: bigint;
  readonly brokerOutTime: bigint;
  readonly jmsxGroupFirstForConsumer: boolean;
}
export interface Response extends BaseCommand {
  readonly type: 'Response';
  readonly correlationId: number;
}
export interface ExceptionResponse extends BaseCommand {
  readonly type: 'ExceptionResponse';
  readonly correlationId: number;
  readonly exception: ThrowableInfo | null;
}
export interface DataResponse extends BaseCommand {
  readonly type: 'DataResponse';
  readonly correlationId: number;
  readonly data: DataStructure | null;
}
export interface IntegerResponse extends BaseCommand {
  readonly type: 'IntegerResponse';
  readonly correlationId: number;
  readonly result: number;
}

export type Command =
  | WireFormatInfo
  | BrokerInfo
  | ConnectionInfo
  | SessionInfo
  | ConsumerInfo
  | ProducerInfo
  | TransactionInfo
  | DestinationInfo
  | RemoveSubscriptionInfo
  | KeepAliveInfo
  | ShutdownInfo
  | RemoveInfo
  | ConnectionError
  | ConsumerControl
  | ConnectionControl
  | ProducerAck
  | MessagePull
  | MessageDispatch
  | MessageAck
  | Message
  | Response
  | ExceptionResponse
  | DataResponse
  | IntegerResponse;

export type DataStructure =
  | Command
  | ConnectionId
  | SessionId
  | ProducerId
  | ConsumerId
  | BrokerId
  | MessageId
  | LocalTransactionId
  | Destination;

/**
 * What encode accepts: any field may be left out and takes the wire default (0, false, null;
 * WireFormatInfo's magic is filled in), nested structures likewise.
 */
export type Input<T> = T extends { readonly type: string }
  ? { readonly type: T['type'] } & { readonly [K in Exclude<keyof T, 'type'>]?: InputField<T[K]> }
  : T;
type InputField<V> = V extends Uint8Array | ReadonlyMap<string, PropertyValue> | bigint
  ? V
  : V extends readonly (infer E)[]
    ? readonly Input<E>[]
    : V extends { readonly type: string }
      ? Input<V>
      : V extends ThrowableInfo
        ? ThrowableInfo
        : V;

export type CommandInput = Command extends infer C ? (C extends Command ? Input<C> : never) : never;
export type DataStructureInput = DataStructure extends infer C
  ? C extends DataStructure
    ? Input<C>
    : never
  : never;

/** MessageAck types (MessageAck.java). */
export const ACK_TYPE = {
  DELIVERED: 0,
  POISON: 1,
  STANDARD: 2,
  REDELIVERED: 3,
  INDIVIDUAL: 4,
  UNMATCHED: 5,
  EXPIRED: 6,
} as const;

/** TransactionInfo types (TransactionInfo.java); local transactions use BEGIN, COMMIT_ONE_PHASE, ROLLBACK. */
export const TRANSACTION_TYPE = {
  BEGIN: 0,
  PREPARE: 1,
  COMMIT_ONE_PHASE: 2,
  COMMIT_TWO_PHASE: 3,
  ROLLBACK: 4,
  RECOVER: 5,
  FORGET: 6,
  END: 7,
} as const;
